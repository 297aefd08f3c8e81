"""The report conversation (/melding): category → description → place → photos → updates → contact →
consent → summary → filed.

Every step goes through :func:`step`, which loads the resident's draft first and answers the button press:
the draft row is the conversation's truth (see :mod:`handlers.persistence`), so a step that finds no draft
(expired, or deleted with /verwijder) ends the conversation politely instead of acting on stale state --
after the crisis triage: words sent to a report that is gone are still checked for a crisis first.

Crisis first at every step that takes words (text or a photo's caption): the crisis guidance, and the flow
stops. In the description the resident is then offered to file it anyway as a non-urgent report (a parent
may want the youth team to know); anywhere else the draft is discarded.

Typed words work as well as buttons: "stop", "annuleer", "cancel" ... cancel at any step, "online" or
"nergens" at the place step is the online button, and a place typed when the bot asks for the municipality
is routed like at the place step.

Buttons are :class:`~handlers.callbacks.ReportStepPress` (``r:<step>:<value>``); each state takes only valid
presses of its own step. A press of another step, or an invalid one, reaches the conversation's fallback and
gets an alert without changing the draft; an edited message reaches no handler here at all (see
``answers.edited_message``).
"""

from __future__ import annotations

import functools
import logging
import re
import warnings
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.i18n.catalogs import SUPPORTED_LANGUAGES, Translator
from bot.outbox.delivery import html_field
from bot.reports.drafts import CATEGORIES, MAX_PHOTOS, Draft, Drafts, check_description, parse_email, parse_phone
from bot.reports.filing import FiledReport, file_report, filed_report
from bot.residents.limits import may_file, record_report
from bot.routing.router import RouteResult
from bot.settings import Settings
from bot.triage.guidance import crisis_text
from bot.triage.rules import Urgency
from handlers.callbacks import ReportPress, ReportStepPress, is_keyed_send, is_report_kind, is_send, report_step
from handlers.common import Context, inline, language, reject_press, reply, services, translator
from handlers.jobs import deliver_now
from handlers.persistence import REPORT_CONVERSATION
from handlers.resident.answers import remember_topic, send_crisis_if_urgent

# Conversation states; the same strings are stored in report_drafts.step.
CATEGORY, DESCRIPTION, CRISIS_OFFER, PLACE, PLACE_CONFIRM, MUNICIPALITY = (
    "category",
    "description",
    "crisis_offer",
    "place",
    "place_confirm",
    "municipality",
)
PHOTOS, UPDATES, CONTACT, CONSENT, SUMMARY, EDIT = (
    "photos",
    "updates",
    "contact",
    "consent",
    "summary",
    "edit",
)
END = ConversationHandler.END
log = logging.getLogger(__name__)

# Messages that plainly ask to report (nl/en), so residents need not know /melding.
REPORT_INTENT = re.compile(
    r"^\s*(ik\s+wil\s+)?(graag\s+)?(een\s+)?(melding\s+(doen|maken)|iets\s+melden|melden)\s*[.!]?\s*$"
    r"|^\s*(i\s+want\s+to\s+|i\s*'?d\s+like\s+to\s+)?(make|file|submit)\s+a\s+report\s*[.!]?\s*$"
    r"|^\s*(report\s+a\s+concern|report\s+something)\s*[.!]?\s*$",
    re.IGNORECASE,
)
# Typed words that cancel the report at any step, like /cancel (the whole message, any case).
CANCEL_WORDS = re.compile(r"^\s*(stop|stoppen|annuleer|annuleren|cancel)\s*[.!]?\s*$", re.IGNORECASE)
# Typed words that mean "online / no particular place" at the place step, like its button.
ONLINE_WORDS = re.compile(
    r"^\s*(online|internet|op\s+(het\s+)?internet|geen\s+(bepaalde\s+|vaste\s+)?(plek|plaats)|nergens"
    r"|no\s+(particular\s+)?place|nowhere)\s*[.!]?\s*$",
    re.IGNORECASE,
)
SCAM_CATEGORY = "online-scam-signal"


def _drafts(context: Context) -> Drafts:
    return Drafts(services(context).db)


def _ids(update: Update) -> tuple[int, int]:
    assert update.effective_user is not None and update.effective_chat is not None
    return update.effective_user.id, update.effective_chat.id


async def _load(update: Update, context: Context) -> Draft | None:
    user_id, _ = _ids(update)
    loaded = await _drafts(context).load(user_id)
    return loaded[1] if loaded else None


async def _save(update: Update, context: Context, step: str, draft: Draft) -> str:
    user_id, chat_id = _ids(update)
    draft.language = await language(update, context)
    await _drafts(context).save(user_id, chat_id, step, draft)
    return step


async def _answer_query(update: Update) -> str | None:
    query = update.callback_query
    if query is None:
        return None
    await query.answer()
    return query.data


async def _crisis_stops_flow(update: Update, context: Context, text: str | None, t: Translator) -> bool:
    """Crisis first, at every step that takes words (text or a caption): guidance, nothing filed, the draft
    gone. (The description offers to file it anyway instead: :func:`description_given`.)"""
    urgency = services(context).answerer.assess(text).urgency if text else None
    if urgency is None:
        return False
    await _drafts(context).discard(_ids(update)[0])
    message = update.effective_message
    assert message is not None
    await message.reply_text(crisis_text(urgency, t), reply_markup=ReplyKeyboardRemove())
    await reply(update, t.gettext("Your report has not been sent. Please use the numbers above."))
    return True


async def _expired(update: Update, context: Context) -> object:
    t = await translator(update, context)
    await reply(update, t.gettext("Your unfinished report has expired or was removed. Start again with /melding."))
    return END


@dataclass(frozen=True)
class Step:
    """What a step handler gets: the draft, the resident's translator, and the pressed button's value."""

    draft: Draft
    t: Translator
    choice: str  # the pressed button's value ("r:upd:chat" → "chat"); "" for messages


class StalePress(Exception):
    """A valid button that does not fit the draft (e.g. "send" while something is missing).

    Raise it before changing anything: :func:`step` then answers with an alert and keeps the state.
    """


StepHandler = Callable[[Update, Context, Step], Coroutine[Any, Any, object]]


def step(handler: StepHandler) -> Callable[[Update, Context], Coroutine[Any, Any, object]]:
    """Load the draft (or end politely), run the step, and answer the button press exactly once: Telegram
    refuses a second answer, so the answer comes after the step, which may turn out to be stale."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> object:
        query = update.callback_query
        press = ReportStepPress.decode(query.data) if query is not None else None
        if query is not None and press is None:  # routing passes valid presses only; never act on others
            await reject_press(update, context)
            return None
        draft = await _load(update, context)
        if draft is None:
            await _answer_query(update)
            message = update.effective_message if query is None else None
            # Words sent to a report that expired or was deleted are still checked for a crisis first.
            if message is not None and await send_crisis_if_urgent(update, context, message.text or message.caption):
                return END
            return await _expired(update, context)
        try:
            result = await handler(
                update, context, Step(draft, await translator(update, context), press.value if press else "")
            )
        except StalePress:
            await reject_press(update, context)
            return None
        await _answer_query(update)
        return result

    return wrapper


Ask = Callable[[Update, Context, Draft, Translator], Coroutine[Any, Any, str]]


async def _then(update: Update, context: Context, draft: Draft, t: Translator, ask_next: Ask) -> str:
    """After a step: back to the summary when the resident came from "change", else the next question."""
    if draft.editing:
        return await _show_summary(update, context, draft, t)
    return await ask_next(update, context, draft, t)


# --- steps --------------------------------------------------------------------------------------------


def _category_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return inline([[(t.gettext(c.label), ReportStepPress("cat", c.id))] for c in CATEGORIES.values()])


async def start_report(update: Update, context: Context) -> object:
    """Entry: /melding, "ik wil een melding doen", or the "Report a concern" button (category preset)."""
    t = await translator(update, context)
    press = ReportPress.decode(update.callback_query.data) if update.callback_query else None
    await _answer_query(update)
    await remember_topic(update, context, None)  # an answer before the report is no longer "the message above"
    svc = services(context)
    if not await may_file(svc.db, _ids(update)[0], svc.settings.reports_per_day):
        await reply(
            update,
            t.ngettext(
                "You have already filed {n} report today; that is the most the bot takes in one day. Please "
                "try again tomorrow, or contact your municipality directly.\n<b>Danger now? Call 112.</b>",
                "You have already filed {n} reports today; that is the most the bot takes in one day. Please "
                "try again tomorrow, or contact your municipality directly.\n<b>Danger now? Call 112.</b>",
                svc.settings.reports_per_day,
            ).format(n=svc.settings.reports_per_day),
        )
        return None  # a report in progress (if any) stays where it was
    draft = Draft()
    preset = press.category if press else None
    intro = t.gettext(
        "<b>Report a non-urgent concern</b>\n"
        "Your report goes to the staff of your municipality. <b>Danger now? Call 112.</b>\n"
        "You can stop at any moment with /cancel."
    )
    if preset is not None:
        draft.category = preset
        await reply(update, intro)
        return await _ask_description(update, context, draft, t)
    await reply(update, intro)
    lines = [t.gettext("What is your report about?"), ""]
    lines += [f"• <b>{t.gettext(c.label)}</b>: {t.gettext(c.explanation)}" for c in CATEGORIES.values()]
    await reply(update, "\n".join(lines), _category_keyboard(t))
    return await _save(update, context, CATEGORY, draft)


@step
async def category_chosen(update: Update, context: Context, s: Step) -> object:
    draft, t = s.draft, s.t
    draft.category = s.choice  # one of CATEGORIES: the codec allows no other
    return await _then(update, context, draft, t, _ask_description)


async def _ask_description(update: Update, context: Context, draft: Draft, t: Translator) -> str:
    assert draft.category is not None
    if draft.category == "undermining-signal":
        await reply(
            update,
            t.gettext(
                "ℹ️ <b>About your anonymity</b>\n"
                "The municipality will not know who you are: staff never see your Telegram name or account. "
                "Telegram itself does know you use this bot. For <b>full anonymity</b> (not even Telegram), "
                "call Meld Misdaad Anoniem: <b>0800-7000</b> (free)."
            ),
        )
    if draft.category == SCAM_CATEGORY:
        await reply(update, _not_an_aangifte(t))
    await reply(
        update,
        t.gettext(
            "Describe what is going on: what, when, and who is involved (no names needed). "
            "Between 10 and 2000 characters."
        ),
    )
    return await _save(update, context, DESCRIPTION, draft)


def _not_an_aangifte(t: Translator) -> str:
    return t.gettext(
        "ℹ️ <b>A report is not an aangifte</b>\n"
        "A report to the municipality is not an aangifte (a report to the police), and it does not get your "
        "money back. Lost money or gave your bank details? Call your bank at once. To report the crime to the "
        "police (aangifte doen): politie.nl or 0900-8844."
    )


@step
async def description_given(update: Update, context: Context, s: Step) -> object:
    draft, t = s.draft, s.t
    message = update.effective_message
    assert message is not None and message.text is not None
    urgency = services(context).answerer.assess(message.text).urgency
    if urgency is not None:
        return await _offer_after_crisis(update, context, draft, t, urgency)
    problem = check_description(message.text)
    if problem:
        await reply(update, t.gettext(problem))
        return None
    draft.description = message.text.strip()
    return await _then(update, context, draft, t, _ask_place)


async def _offer_after_crisis(update: Update, context: Context, draft: Draft, t: Translator, urgency: Urgency) -> str:
    """A crisis in the description: the crisis guidance first, then the choice to file it anyway.

    The description is kept in the draft for that choice (when it is a valid one); "no" discards the draft.
    """
    message = update.effective_message
    assert message is not None and message.text is not None
    await message.reply_text(crisis_text(urgency, t), reply_markup=ReplyKeyboardRemove())
    if check_description(message.text) is None:
        draft.description = message.text.strip()
    await reply(
        update,
        t.gettext(
            "Do you want the municipality to get this as a report anyway? Nobody reads it straight away, "
            "so for help now, please use the numbers above."
        ),
        inline(
            [
                [(t.gettext("Yes, continue the report"), ReportStepPress("crisis", "yes"))],
                [(t.gettext("No, do not send it"), ReportStepPress("crisis", "no"))],
            ]
        ),
    )
    return await _save(update, context, CRISIS_OFFER, draft)


@step
async def crisis_offer_answered(update: Update, context: Context, s: Step) -> object:
    draft, t = s.draft, s.t
    if s.choice == "no":
        await _drafts(context).discard(_ids(update)[0])
        await reply(update, t.gettext("Your report has not been sent. Please use the numbers above."))
        return END
    if not draft.description:  # the crisis message was too short or too long to be the description
        return await _ask_description(update, context, draft, t)
    return await _then(update, context, draft, t, _ask_place)


def _place_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(t.gettext("📍 Share my location"), request_location=True)],
            [KeyboardButton(t.gettext("🌐 Online / no particular place"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


async def _ask_place(update: Update, context: Context, draft: Draft, t: Translator) -> str:
    message = update.effective_message
    assert message is not None
    await message.reply_text(
        t.gettext(
            "Where is it happening? Type a village, postcode or address (for example <i>Dorpsstraat 1, "
            "Wapenveld</i> or <i>8161</i>), or share your location."
        ),
        reply_markup=_place_keyboard(t),
    )
    return await _save(update, context, PLACE, draft)


def _online_labels(context: Context) -> set[str]:
    svc = services(context)
    return {svc.catalogs.get(lang).gettext("🌐 Online / no particular place") for lang in SUPPORTED_LANGUAGES}


@step
async def place_text_given(update: Update, context: Context, s: Step) -> object:
    draft, t = s.draft, s.t
    message = update.effective_message
    assert message is not None and message.text is not None
    if await _crisis_stops_flow(update, context, message.text, t):
        return END
    if message.text in _online_labels(context) or ONLINE_WORDS.match(message.text):
        draft.place_text, draft.latitude, draft.longitude = None, None, None
        await message.reply_text(t.gettext("Okay, no particular place."), reply_markup=ReplyKeyboardRemove())
        return await _ask_municipality(update, context, draft, t, t.gettext("Which municipality do you live in?"))
    result = services(context).router.route(message.text)
    draft.place_text = message.text.strip()[:300]
    draft.latitude = draft.longitude = None
    return await _routed(update, context, draft, t, result)


@step
async def location_given(update: Update, context: Context, s: Step) -> object:
    draft, t = s.draft, s.t
    message = update.effective_message
    assert message is not None and message.location is not None
    lat, lon = message.location.latitude, message.location.longitude
    result = services(context).router.route_location(lat, lon)
    draft.place_text = None
    draft.latitude, draft.longitude = round(lat, 5), round(lon, 5)
    return await _routed(update, context, draft, t, result)


def _municipality_name(context: Context, municipality_id: str) -> str:
    return services(context).municipalities.get(municipality_id).name


async def _routed(update: Update, context: Context, draft: Draft, t: Translator, result: RouteResult) -> object:
    message = update.effective_message
    assert message is not None
    if result.status == "ok" and result.municipality:
        draft.municipality = result.municipality
        name = _municipality_name(context, result.municipality)
        place = result.place or name
        await message.reply_text(
            t.gettext("I found: <b>{place}</b>, municipality of <b>{municipality}</b>.").format(
                place=escape(place), municipality=escape(name)
            ),
            reply_markup=ReplyKeyboardRemove(),
        )
        keyboard = inline(
            [
                [(t.gettext("✅ Yes, that's right"), ReportStepPress("place", "yes"))],
                [(t.gettext("Choose another municipality"), ReportStepPress("place", "other"))],
            ]
        )
        await reply(update, t.gettext("Is that right?"), keyboard)
        return await _save(update, context, PLACE_CONFIRM, draft)
    if result.status == "ambiguous":
        await message.reply_text(
            t.gettext("That name exists in more than one place."), reply_markup=ReplyKeyboardRemove()
        )
        return await _ask_municipality(
            update, context, draft, t, t.gettext("Which municipality do you mean?"), only=result.candidates
        )
    if result.status == "outside":
        await _drafts(context).discard(_ids(update)[0])
        await message.reply_text(_outside_text(context, t, result.place), reply_markup=ReplyKeyboardRemove())
        return END
    await message.reply_text(
        t.gettext(
            "I don't recognise that place. Type a village or postcode in one of the six municipalities, "
            "or choose the municipality yourself."
        ),
    )
    return await _ask_municipality(update, context, draft, t, t.gettext("Which municipality is it in?"))


def _outside_text(context: Context, t: Translator, place: str | None) -> str:
    """Why a place outside the six is not forwarded, and who to contact instead.

    Pitfall: the place is often a village, not a municipality ("Hierden" is in Harderwijk); its municipality
    is named only where the data knows it, else "the municipality where it happens".
    """
    if place:
        where = t.gettext(
            "<b>{place}</b> is outside Elburg, Epe, Hattem, Heerde, Nunspeet and Oldebroek, so I cannot forward "
            "your report."
        ).format(place=escape(place))
    else:
        where = t.gettext(
            "That place is outside Elburg, Epe, Hattem, Heerde, Nunspeet and Oldebroek, so I cannot forward "
            "your report."
        )
    municipality = _outside_municipality(context, place)
    if municipality:
        who = t.gettext("Please contact the municipality of {municipality}.").format(municipality=escape(municipality))
    else:
        who = t.gettext("Please contact the municipality where it happens.")
    return f"{where} {who} " + t.gettext(
        "You find the contact details of every municipality on overheid.nl, under 'Overheidsorganisaties'.\n\n"
        "Also possible, anywhere in the Netherlands:\n"
        "• Police, no urgency: 0900-8844\n"
        "• Meld Misdaad Anoniem (anonymous): 0800-7000\n"
        "• <b>Danger now: 112</b>\n\n"
        "Your report has not been sent."
    )


def _outside_municipality(context: Context, place: str | None) -> str | None:
    for outside in services(context).municipalities.outside:
        if place is not None and place in outside.names:
            return outside.municipality
    return None


async def _ask_municipality(
    update: Update, context: Context, draft: Draft, t: Translator, question: str, only: tuple[str, ...] = ()
) -> str:
    registry = services(context).municipalities
    ids = [m for m in registry.ids if not only or m in only]
    rows = [[(registry.get(m).name, ReportStepPress("mun", m))] for m in ids]
    if only:
        rows.append([(t.gettext("Another municipality"), ReportStepPress("mun", "all"))])
    await reply(update, question, inline(rows))
    return await _save(update, context, MUNICIPALITY, draft)


@step
async def place_confirmed(update: Update, context: Context, s: Step) -> object:
    draft, t = s.draft, s.t
    if s.choice == "other":
        return await _ask_municipality(update, context, draft, t, t.gettext("Which municipality is it in?"))
    return await _then(update, context, draft, t, _ask_photos)


@step
async def municipality_chosen(update: Update, context: Context, s: Step) -> object:
    draft, t = s.draft, s.t
    choice = s.choice
    if choice == "all":
        return await _ask_municipality(update, context, draft, t, t.gettext("Which municipality is it in?"))
    if choice not in services(context).municipalities.ids:
        raise StalePress
    return await _municipality_set(update, context, draft, t, choice)


async def _municipality_set(update: Update, context: Context, draft: Draft, t: Translator, choice: str) -> str:
    draft.municipality = choice
    await reply(
        update,
        t.gettext("Municipality: <b>{name}</b>.").format(name=escape(_municipality_name(context, choice))),
    )
    return await _then(update, context, draft, t, _ask_photos)


@step
async def municipality_text_given(update: Update, context: Context, s: Step) -> object:
    """A place typed when the bot asks for the municipality (after an unknown place, or "online")."""
    draft, t = s.draft, s.t
    message = update.effective_message
    assert message is not None and message.text is not None
    if await _crisis_stops_flow(update, context, message.text, t):
        return END
    result = services(context).router.route(message.text)
    online = draft.place_text is None and draft.latitude is None
    if online and result.status == "ok" and result.municipality:
        # "Which municipality do you live in?" answered with a village: the report stays "online".
        return await _municipality_set(update, context, draft, t, result.municipality)
    if not online:
        draft.place_text = message.text.strip()[:300]
    return await _routed(update, context, draft, t, result)


async def _ask_photos(update: Update, context: Context, draft: Draft, t: Translator) -> str:
    await reply(
        update,
        t.gettext("Would you like to add photos? Send up to 3, or press the button to continue."),
        inline([[(t.gettext("Continue without (more) photos"), ReportStepPress("photos", "done"))]]),
    )
    return await _save(update, context, PHOTOS, draft)


@step
async def photo_given(update: Update, context: Context, s: Step) -> object:
    draft, t = s.draft, s.t
    message = update.effective_message
    assert message is not None and message.photo
    if await _crisis_stops_flow(update, context, message.caption, t):
        return END
    if len(draft.photos) < MAX_PHOTOS:
        draft.photos.append(message.photo[-1].file_id)  # the largest size
    if len(draft.photos) >= MAX_PHOTOS:
        await reply(update, t.gettext("3 photos added, that is the maximum."))
        return await _then(update, context, draft, t, _ask_updates)
    await reply(
        update,
        t.ngettext("{n} photo added.", "{n} photos added.", len(draft.photos)).format(n=len(draft.photos)),
        inline([[(t.gettext("Done"), ReportStepPress("photos", "done"))]]),
    )
    return await _save(update, context, PHOTOS, draft)


@step
async def photos_done(update: Update, context: Context, s: Step) -> object:
    draft, t = s.draft, s.t
    return await _then(update, context, draft, t, _ask_updates)


async def _ask_updates(update: Update, context: Context, draft: Draft, t: Translator) -> str:
    await reply(
        update,
        t.gettext(
            "Would you like to hear what happens with your report?\n"
            "• <b>Via this chat</b>: the municipality can send you updates and questions here.\n"
            "• <b>No updates</b>: your report is stored without any link to you, so you cannot follow it "
            "in /mijnmeldingen."
        ),
        inline(
            [
                [(t.gettext("💬 Via this chat"), ReportStepPress("upd", "chat"))],
                [(t.gettext("No updates"), ReportStepPress("upd", "none"))],
            ]
        ),
    )
    return await _save(update, context, UPDATES, draft)


@step
async def updates_chosen(update: Update, context: Context, s: Step) -> object:
    draft, t = s.draft, s.t
    draft.updates = "chat" if s.choice == "chat" else "none"
    await reply(
        update,
        t.gettext(
            "Optional: may staff contact you by phone or e-mail? Type a phone number or e-mail address, or press Skip."
        ),
        inline([[(t.gettext("Skip"), ReportStepPress("contact", "skip"))]]),
    )
    return await _save(update, context, CONTACT, draft)


@step
async def contact_given(update: Update, context: Context, s: Step) -> object:
    draft, t = s.draft, s.t
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text.strip()
    if await _crisis_stops_flow(update, context, text, t):
        return END
    if "@" in text:
        email = parse_email(text)
        if email is None:
            await reply(update, t.gettext("That e-mail address does not look right. Try again, or press Skip."))
            return None
        draft.email = email
    else:
        phone = parse_phone(text)
        if phone is None:
            await reply(update, t.gettext("That phone number does not look right. Try again, or press Skip."))
            return None
        draft.phone = phone
    return await _then(update, context, draft, t, _ask_consent)


@step
async def contact_skipped(update: Update, context: Context, s: Step) -> object:
    draft, t = s.draft, s.t
    return await _then(update, context, draft, t, _ask_consent)


async def _ask_consent(update: Update, context: Context, draft: Draft, t: Translator) -> str:
    name = _municipality_name(context, draft.municipality) if draft.municipality else ""
    text = t.gettext(
        "<b>Before you send</b>\n"
        "• Your description, place and photos go to the staff of the municipality of <b>{municipality}</b> "
        "who handle safety reports. They may share it with the police or a care organisation when that is "
        "needed to act on it.\n"
        "• They never see your Telegram name, username or number.\n"
        "• A phone number or e-mail address is only shared if you gave one.\n"
        "• The report is kept as long as the municipality needs it to handle your concern, under its "
        "privacy rules. You can remove your contact details and the link to this chat at any time with /verwijder.\n\n"
        "Do you agree?"
    ).format(municipality=escape(name))
    await reply(
        update,
        text,
        inline(
            [
                [(t.gettext("✅ I agree"), ReportStepPress("consent", "yes"))],
                [(t.gettext("✖ Cancel"), ReportStepPress("consent", "no"))],
            ]
        ),
    )
    return await _save(update, context, CONSENT, draft)


@step
async def consent_given(update: Update, context: Context, s: Step) -> object:
    draft, t = s.draft, s.t
    if s.choice == "no":
        return await _cancelled(update, context)
    draft.consent = True
    return await _show_summary(update, context, draft, t)


def summary_text(context: Context, draft: Draft, t: Translator) -> str:
    category = CATEGORIES[draft.category].label if draft.category else ""
    place = draft.place_text or ""
    if draft.latitude is not None and draft.longitude is not None:
        place = t.gettext("shared location")
    if not place:
        place = t.gettext("online / no particular place")
    updates = t.gettext("via this chat") if draft.updates == "chat" else t.gettext("none")
    contact = ", ".join(x for x in (draft.phone, draft.email) if x) or t.gettext("none")
    municipality = _municipality_name(context, draft.municipality) if draft.municipality else ""
    heading = t.gettext("Your report")
    return "\n".join(
        [
            f"<b>{escape(heading)}</b>",
            html_field(t.gettext("Category"), t.gettext(category)),
            html_field(t.gettext("Description"), draft.description or ""),
            html_field(t.gettext("Place"), place),
            html_field(t.gettext("Municipality"), municipality),
            html_field(t.gettext("Photos"), str(len(draft.photos))),
            html_field(t.gettext("Updates"), updates),
            html_field(t.gettext("Contact details"), contact),
        ]
    )


async def _show_summary(update: Update, context: Context, draft: Draft, t: Translator) -> str:
    draft.editing = False
    keyboard = inline(
        [
            [(t.gettext("✅ Send report"), ReportStepPress("sum", "send", draft.key))],
            [(t.gettext("✏️ Change something"), ReportStepPress("sum", "edit"))],
            [(t.gettext("✖ Cancel"), ReportStepPress("sum", "cancel"))],
        ]
    )
    await reply(update, summary_text(context, draft, t), keyboard)
    return await _save(update, context, SUMMARY, draft)


@step
async def summary_action(update: Update, context: Context, s: Step) -> object:
    """Change or cancel from the summary (Send is :func:`send_pressed`)."""
    draft, t = s.draft, s.t
    action = s.choice
    if action == "cancel":
        return await _cancelled(update, context)
    if action == "edit":
        keyboard = inline(
            [
                [(t.gettext("Category"), ReportStepPress("edit", "category"))],
                [(t.gettext("Description"), ReportStepPress("edit", "description"))],
                [(t.gettext("Place"), ReportStepPress("edit", "place"))],
                [(t.gettext("Photos"), ReportStepPress("edit", "photos"))],
                [(t.gettext("Updates and contact details"), ReportStepPress("edit", "updates"))],
            ]
        )
        await reply(update, t.gettext("What would you like to change?"), keyboard)
        return await _save(update, context, EDIT, draft)
    raise StalePress  # "send" is routed to send_pressed; anything else here does not fit


async def send_pressed(update: Update, context: Context) -> object:
    """Send on the summary (``r:sum:send:<key>``): file the draft, or show again the report this button filed.

    Also an entry point of the conversation, because a repeated press usually arrives after the conversation
    ended: a double press, a retry after the confirmation failed, a button from before a restart. Filing and
    deleting the draft are one transaction keyed by the draft's idempotency key, so none of these files twice.
    Summaries from before the key existed send ``r:sum:send``; the current draft's key is used then.

    Pitfall: the button may also be an old summary's while the resident is busy with a new report; that
    draft and its conversation state are left alone (``None`` keeps the state). A press that files nothing
    and finds nothing filed is stale: an alert, nothing changed.
    """
    query = update.callback_query
    press = ReportStepPress.decode(query.data) if query is not None else None
    key = press.key if press is not None else None
    user_id, chat_id = _ids(update)
    db = services(context).db
    t = await translator(update, context)
    loaded = await _drafts(context).load(user_id)
    draft = loaded[1] if loaded and loaded[0] == SUMMARY and key in (None, loaded[1].key) else None
    if draft is not None and draft.complete():
        filed: FiledReport | None = await file_report(
            db, draft, chat_id=chat_id, language=t.lang, user_id=user_id, duplicates=services(context).duplicates
        )
    else:
        filed = await filed_report(db, key) if key else None
    if filed is None:
        if loaded is None:
            await _answer_query(update)
            return await _expired(update, context)
        await reject_press(update, context)
        return None
    await _answer_query(update)
    name = _municipality_name(context, filed.municipality)
    follow = (
        t.gettext("You will hear about progress in this chat. See your reports with /mijnmeldingen.")
        if filed.updates == "chat"
        else t.gettext("You chose no updates, so this report is not linked to you.")
    )
    confirmation = t.gettext(
        "✅ <b>Thank you. We have received your report and are forwarding it to the municipality of "
        "{municipality}.</b>\n"
        "Reference: <code>{reference}</code>\n\n"
        "What happens next: staff of the municipality read your report and decide what to do, together "
        "with partners such as the police or youth workers when needed. {follow}\n\n"
        "<b>Danger now? Call 112.</b>"
    ).format(municipality=escape(name), reference=filed.reference, follow=follow)
    if filed.category == SCAM_CATEGORY:
        confirmation += "\n\n" + _not_an_aangifte(t)
    await reply(update, confirmation)
    if filed.new:
        await record_report(db, user_id)
        # The reference and municipality identify no one; the resident's text is never logged.
        log.info("Report %s filed for %s", filed.reference, filed.municipality)
    deliver_now(context)  # also after a repeat: the first press may have failed before it got here
    return END if loaded is None or draft is not None else None


@step
async def edit_chosen(update: Update, context: Context, s: Step) -> object:
    draft, t = s.draft, s.t
    field = s.choice
    draft.editing = True
    if field == "category":
        await reply(update, t.gettext("What is your report about?"), _category_keyboard(t))
        return await _save(update, context, CATEGORY, draft)
    if field == "description":
        await reply(update, t.gettext("Type the new description (10 to 2000 characters)."))
        return await _save(update, context, DESCRIPTION, draft)
    if field == "place":
        return await _ask_place(update, context, draft, t)
    if field == "photos":
        draft.photos = []
        await reply(
            update,
            t.gettext("Send up to 3 photos again (the previous ones are removed), or continue without."),
            inline([[(t.gettext("Continue without photos"), ReportStepPress("photos", "done"))]]),
        )
        return await _save(update, context, PHOTOS, draft)
    if field == "updates":
        draft.phone = draft.email = None
        draft.editing = False  # updates → contact → consent again, then the summary
        return await _ask_updates(update, context, draft, t)
    raise StalePress


async def cancel(update: Update, context: Context) -> object:
    """/cancel (any step). Buttons that cancel have answered their query already: they call :func:`_cancelled`,
    because Telegram refuses a second answer to the same query."""
    await _answer_query(update)
    return await _cancelled(update, context)


async def _cancelled(update: Update, context: Context) -> object:
    user = update.effective_user
    if user is not None:
        await _drafts(context).discard(user.id)
    t = await translator(update, context)
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            t.gettext("Cancelled. Nothing has been sent. Ask me a question any time, or start again with /melding."),
            reply_markup=ReplyKeyboardRemove(),
        )
    return END


@step
async def use_the_buttons(update: Update, context: Context, s: Step) -> object:
    t = s.t
    message = update.effective_message
    if message is not None and await _crisis_stops_flow(update, context, message.text or message.caption, t):
        return END
    await reply(update, t.gettext("Please use the buttons above, or /cancel to stop."))
    return None


def conversation(settings: Settings) -> ConversationHandler:  # type: ignore[type-arg]
    # New messages only: an edit must never become the description, place or contact (answers.edited_message).
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    text = filters.TEXT & ~filters.COMMAND & private
    other = (filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.LOCATION
    buttons_only = [MessageHandler(other & private, use_the_buttons)]
    typed_cancel = MessageHandler(text & filters.Regex(CANCEL_WORDS), cancel)
    with warnings.catch_warnings():
        # Text and buttons are mixed on purpose, so per_message stays False (PTB issue #1781).
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return _conversation(text, private, buttons_only, typed_cancel)


def _conversation(
    text: filters.BaseFilter,
    private: filters.BaseFilter,
    buttons_only: Sequence[BaseHandler],  # type: ignore[type-arg]
    typed_cancel: BaseHandler,  # type: ignore[type-arg]
) -> ConversationHandler:  # type: ignore[type-arg]
    states: dict[object, list[BaseHandler]] = {  # type: ignore[type-arg]
        CATEGORY: [CallbackQueryHandler(category_chosen, pattern=report_step("cat")), *buttons_only],
        DESCRIPTION: [MessageHandler(text, description_given), *buttons_only],
        CRISIS_OFFER: [CallbackQueryHandler(crisis_offer_answered, pattern=report_step("crisis")), *buttons_only],
        PLACE: [
            MessageHandler(filters.LOCATION & private, location_given),
            MessageHandler(text, place_text_given),
            *buttons_only,
        ],
        PLACE_CONFIRM: [CallbackQueryHandler(place_confirmed, pattern=report_step("place")), *buttons_only],
        MUNICIPALITY: [
            CallbackQueryHandler(municipality_chosen, pattern=report_step("mun")),
            MessageHandler(text, municipality_text_given),
            *buttons_only,
        ],
        PHOTOS: [
            MessageHandler(filters.PHOTO & private, photo_given),
            CallbackQueryHandler(photos_done, pattern=report_step("photos")),
            *buttons_only,
        ],
        UPDATES: [CallbackQueryHandler(updates_chosen, pattern=report_step("upd")), *buttons_only],
        CONTACT: [
            MessageHandler(text, contact_given),
            CallbackQueryHandler(contact_skipped, pattern=report_step("contact")),
            *buttons_only,
        ],
        CONSENT: [CallbackQueryHandler(consent_given, pattern=report_step("consent")), *buttons_only],
        SUMMARY: [
            CallbackQueryHandler(send_pressed, pattern=is_send),
            CallbackQueryHandler(summary_action, pattern=report_step("sum")),
            *buttons_only,
        ],
        EDIT: [CallbackQueryHandler(edit_chosen, pattern=report_step("edit")), *buttons_only],
    }
    return ConversationHandler(
        name=REPORT_CONVERSATION,
        persistent=True,
        allow_reentry=True,
        entry_points=[
            CommandHandler(["melding", "report", "melden"], start_report, filters=private),
            CallbackQueryHandler(start_report, pattern=ReportPress.matches),
            CallbackQueryHandler(send_pressed, pattern=is_keyed_send),
            MessageHandler(text & filters.Regex(REPORT_INTENT), start_report),
        ],
        # Typed "stop" comes first in every state: it must not become a description, place or contact.
        states={state: [typed_cancel, *handlers] for state, handlers in states.items()},
        fallbacks=[
            CommandHandler(["cancel", "annuleer", "stop"], cancel, filters=private),
            # A report button that is invalid or of another step: an alert, and the draft stays as it is.
            CallbackQueryHandler(reject_press, pattern=is_report_kind),
        ],
    )
