package dialog

// Catalog keys the engine uses. Every key exists in both languages of locales/:
// TestDialogKeysExist in locales/keys_test.go reads every Key… constant of this package
// from its source, and the keys built with the Prefix… constants, and fails on a missing
// one, so the catalog never shows a citizen a raw key.
const (
	KeyWelcome        = "welcome"
	KeyAskLanguage    = "lang.ask"
	KeyLanguageSet    = "lang.set"
	KeyGreeting       = "greeting"
	KeyGoodbye        = "goodbye"
	KeyHelp           = "help"
	KeyMenuPrompt     = "menu.prompt"
	KeyClarify        = "clarify"
	KeyOutOfScope     = "out_of_scope" // the intent is not one the assistant answers
	KeyInputEmpty     = "input.empty"
	KeyInputTooLong   = "input.too_long"
	KeyInputTruncated = "input.truncated"
	KeyMedia          = "media.unsupported"
	KeyEdited         = "edited.unsupported"
	KeyErrorInternal  = "error.internal"
	KeyMenuExpired    = "menu.expired"
	KeyStopDone       = "stop.done"
	KeyOptOutDone     = "optout.done"
	KeyOptInDone      = "optin.done"
	KeySMSHelp        = "smshelp"
	KeyNeedContact    = "identify.share_contact"
	KeyNoRecords      = "identify.unknown"
	KeyContactLinked  = "contact.linked"
	KeyContactNotOwn  = "contact.not_own"
	KeyContactUnknown = "contact.unknown"
	KeyUnlinkDone     = "unlink.done"
	KeyUnlinkNone     = "unlink.none"
	KeyLogoutDone     = "logout.done"

	KeyStatusNone     = "status.none"
	KeyStatusHeader   = "status.header"
	KeyStatusFound    = "status.found"
	KeyStatusItem     = "status.item"
	KeyStatusMissing  = "status.missing"
	KeyStatusDeadline = "status.deadline"
	KeyStatusNext     = "status.next"
	KeyStatusHistory  = "status.history"
	KeyStatusNotFound = "status.not_found"
	KeyListMore       = "list.more"
	KeyListEnd        = "list.end"

	KeyMyDataHeader   = "mydata.header"
	KeyMyDataIdentity = "mydata.identity"
	KeyMyDataItem     = "mydata.item"

	KeyUsageNone      = "usage.none"
	KeyUsageHeader    = "usage.header"
	KeyUsageItem      = "usage.item"
	KeyUsageAssistant = "usage.assistant"

	KeyForMeHeader        = "forme.header"
	KeyForMeItem          = "forme.item"
	KeyForMeNone          = "forme.none"
	KeyForMeGeneralHeader = "forme.general.header"
	KeyForMeGeneralItem   = "forme.general.item"
	KeyForMeIllustrative  = "forme.illustrative"

	KeyHumanPhone     = "human.phone"
	KeyHumanEscalated = "human.escalated"

	KeyVerifyAskID     = "verify.ask_id"
	KeyVerifyAskBirth  = "verify.ask_birth"
	KeyVerifyBadID     = "verify.bad_id"
	KeyVerifyBadDate   = "verify.bad_date"
	KeyVerifyOK        = "verify.ok"
	KeyVerifyFailed    = "verify.failed"
	KeyVerifyLocked    = "verify.locked"
	KeyVerifyCancelled = "verify.cancelled"

	KeyOptionStatus    = "menu.status"
	KeyOptionMyData    = "menu.my_data"
	KeyOptionDataUsage = "menu.data_usage"
	KeyOptionForMe     = "menu.for_me"
	KeyOptionHuman     = "menu.human"
	KeyOptionMore      = "menu.more"
	KeyOptionHistory   = "menu.history"
	KeyOptionCA        = "menu.lang_ca"
	KeyOptionES        = "menu.lang_es"
	KeyOptionCancel    = "menu.cancel"
	KeyOptionMain      = "menu.main"
	KeyOptionYes       = "menu.yes"
	KeyOptionNo        = "menu.no"

	KeyEraseConfirm   = "erase.confirm"
	KeyEraseDone      = "erase.done"
	KeyEraseCancelled = "erase.cancelled"
)

// Prefixes of keys built from data: a status, a data category, a channel, a reason.
const (
	PrefixStatus   = "status.word."
	PrefixCategory = "category."
	PrefixChannel  = "channel."
	PrefixReason   = "reason."
)

// Option values (button payloads). Intent and language options are always accepted; the
// others only while they are on the last menu.
const (
	ValueIntent  = "i:"
	ValueLang    = "lang:"
	ValueMore    = "more"
	ValueHistory = "hist:"
	ValueCancel  = "cancel"
	ValueYes     = "yes"
	ValueNo      = "no"
)
