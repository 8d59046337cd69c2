package server

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/trygg/trygg/internal/trygg"
)

// errorSwedish holds the messages of *trygg.Error that the service writes
// in English (for the JSON API), each as its format string in the Go
// source, with the Swedish the pages show instead. The Swedish uses the
// same verbs in the same order. A test checks that every message in the
// source has an entry here.
//
// A few messages are built from a format and a known set of values
// ("%s not found."); they also have an entry per value, so the whole
// sentence reads well in Swedish.
var errorSwedish = map[string]string{
	// access
	"Not found.":                             "Hittades inte.",
	"You do not have permission to do this.": "Du saknar behörighet att göra detta.",
	"You cannot register this person or open a case for them. Ask your team lead who can.": "Du kan inte registrera personen eller öppna ett ärende för hen. Fråga din arbetsledare vem som kan.",

	// Opening cases, relations and accounts: no write is a way to read.
	"The person was not found.":                                                                          "Personen hittades inte.",
	"The person who acts was not found.":                                                                 "Personen som företräder hittades inte.",
	"Give the id or the identity number of the person who acts.":                                         "Ange id eller personnummer för den som företräder.",
	"Give either the id or the identity number of the person who acts, not both.":                        "Ange antingen id eller personnummer för den som företräder, inte båda.",
	"The user may not see persons with protected identity.":                                              "Användaren får inte se personer med skyddade personuppgifter.",
	"May not see persons with protected identity, as this case's person has.":                            "Får inte se personer med skyddade personuppgifter, och ärendets person har det.",
	"Citizens' accounts are made when they sign in with e-identification; they can't be created here.":   "Invånares konton skapas när de loggar in med e-legitimation; de kan inte skapas här.",
	"The citizen role (invanare) comes with signing in with e-identification; it can't be granted here.": "Rollen invånare följer med inloggning med e-legitimation; den kan inte ges här.",

	// The citizen portal.
	"The meeting has already taken place; book a new one instead.":         "Mötet har redan ägt rum; boka ett nytt i stället.",
	"A meeting is already booked on this case; move or cancel it instead.": "Ett möte är redan bokat i ärendet; flytta eller avboka det i stället.",
	// Applying online and attachments (internal/web/portal/apply.go).
	"This cannot be applied for online for this person; contact the municipality.": "Det går inte att ansöka om detta här för den här personen; kontakta kommunen.",
	"The application is too long.": "Ansökan är för lång.",
	"At most 256 kB of text.":      "Högst 256 kB text.",
	"Choose a file to attach.":     "Välj en fil att bifoga.",
	"The file is too large.":       "Filen är för stor.",
	"At most %d MB a file.":        "Högst %d MB per fil.",
	"The file cannot be attached.": "Filen går inte att bifoga.",
	"Only PDF, JPEG and PNG files can be attached, and this file is none of them.":     "Bara PDF-, JPEG- och PNG-filer kan bifogas, och den här filen är ingen av dem.",
	"No more files can be attached.":                                                   "Det går inte att bifoga fler filer.",
	"At most %d files to an application; remove one first.":                            "Högst %d filer till en ansökan; ta bort en först.",
	"Attachment not found.":                                                            "Filen hittades inte.",
	"Draft not found.":                                                                 "Utkastet hittades inte.",
	"There is nothing to send yet: fill in the application first.":                     "Det finns inget att skicka än: fyll i ansökan först.",
	"The application is not complete; correct what is marked and send it again.":       "Ansökan är inte komplett; rätta det som är markerat och skicka den igen.",
	"The application forms changed just now; check the application and send it again.": "Ansökningsformulären ändrades nyss; kontrollera ansökan och skicka den igen.",
	"The application has already been sent.":                                           "Ansökan är redan skickad.",
	"The application changed while it was being sent; check it and send it again.":     "Ansökan ändrades medan den skickades; kontrollera den och skicka den igen.",
	"The application was saved from somewhere else at the same moment; save it again.": "Ansökan sparades från ett annat ställe i samma stund; spara den igen.",
	// Meeting times and bookings (internal/web/portal/bookings.go, internal/web/staff/slots.go).
	"Only case officers and team leads publish times for meetings.": "Bara handläggare och arbetsledare lägger ut mötestider.",
	"The time is not valid.":                                                      "Tiden är inte giltig.",
	"You already have a time that overlaps this one.":                             "Du har redan en tid som överlappar den här.",
	"Slot not found.":                                                             "Tiden hittades inte.",
	"Booking not found.":                                                          "Bokningen hittades inte.",
	"The time is no longer offered; choose another.":                              "Tiden erbjuds inte längre; välj en annan.",
	"The time has passed; choose another.":                                        "Tiden har passerat; välj en annan.",
	"The case is closed; no meeting can be booked on it.":                         "Ärendet är avslutat; det går inte att boka möte om det.",
	"The case has no case officer yet, so no meeting can be booked.":              "Ärendet har ingen handläggare än, så det går inte att boka möte.",
	"The booking has already been moved or cancelled.":                            "Bokningen är redan flyttad eller avbokad.",
	"Choose another time.":                                                        "Välj en annan tid.",
	"This is the time already booked.":                                            "Det är den tid som redan är bokad.",
	"Give the day as YYYY-MM-DD and the time as HH:MM.":                           "Ange dagen som ÅÅÅÅ-MM-DD och klockslaget som TT:MM.",
	"The time has passed; choose a time ahead.":                                   "Tiden har passerat; välj en tid framåt.",
	"At most a year ahead.":                                                       "Högst ett år framåt.",
	"Between %d and %d minutes.":                                                  "Mellan %d och %d minuter.",
	"Choose in person, by phone or by video.":                                     "Välj på plats, per telefon eller per video.",
	"Say where the meeting is, or how to join it.":                                "Skriv var mötet är, eller hur man ansluter.",
	"The place is at most 200 characters.":                                        "Platsen får vara högst 200 tecken.",
	"The time is booked or already withdrawn; a booked time cannot be withdrawn.": "Tiden är bokad eller redan tillbakadragen; en bokad tid kan inte dras tillbaka.",
	"Someone else has just booked this time; choose another.":                     "Någon annan har precis bokat den här tiden; välj en annan.",
	// Following a case: messages and comments on goals (internal/web/portal/follow.go).
	"Another message was written at the same moment; send yours again.": "Ett annat meddelande skrevs i samma stund; skicka ditt igen.",
	"The insats has ended; its goals take no more comments.":            "Insatsen har avslutats; dess mål tar inte emot fler synpunkter.",
	"Write your comment first.":                                         "Skriv din synpunkt först.",
	"The comment is too long.":                                          "Synpunkten är för lång.",
	"Write your message first.":                                         "Skriv ditt meddelande först.",
	"The message is too long.":                                          "Meddelandet är för långt.",
	"The case is closed; its messages can be read but no new ones written. Contact the office if you need to.": "Ärendet är avslutat; meddelandena kan läsas men inga nya skrivas. Kontakta kontoret om du behöver.",

	"Mina sidor is for citizens; staff work in the staff pages.": "Mina sidor är för invånare; personal arbetar i personalens sidor.",

	// Citizens' sign-in, rate limits, My records and secrecy marks.
	"Too many sign-in attempts in a short time, so nothing was done. Wait at least %d min and try again.":                                                                                                   "För många inloggningsförsök på kort tid, så inget gjordes. Vänta minst %d min och försök igen.",
	"You have sent in too much in a short time, so nothing was done. Wait at least %d min and try again.":                                                                                                   "Du har skickat in för mycket på kort tid, så inget gjordes. Vänta minst %d min och försök igen.",
	"The identity number is not a valid Swedish personal identity number or coordination number.":                                                                                                           "Numret är inte ett giltigt svenskt personnummer eller samordningsnummer.",
	"Not a valid personal identity number or coordination number.":                                                                                                                                          "Inte ett giltigt personnummer eller samordningsnummer.",
	"Your identity was confirmed, but you are not in the population registry we use, so no account was created. Contact the municipality.":                                                                  "Din identitet bekräftades, men du finns inte i det folkbokföringsregister vi använder, så inget konto skapades. Kontakta kommunen.",
	"The account linked to this identity is not a citizen account. Sign in with your username and password instead.":                                                                                        "Kontot som hör till den här identiteten är inte ett invånarkonto. Logga in med användarnamn och lösenord i stället.",
	"Sign-in with e-identification is not configured.":                                                                                                                                                      "Inloggning med e-legitimation är inte inställd.",
	"The sign-in with e-identification could not be completed. Start again from the sign-in page.":                                                                                                          "Inloggningen med e-legitimation kunde inte slutföras. Börja om från inloggningssidan.",
	"Your e-identification did not include a personal identity number, so you were not signed in and no account was created. Try another e-identification, or contact the municipality.":                    "Din e-legitimation innehöll inget personnummer, så du loggades inte in och inget konto skapades. Prova en annan e-legitimation eller kontakta kommunen.",
	"Your e-identification does not have a high enough level of assurance for Mina sidor, so you were not signed in and no account was created. Sign in with an e-identification such as BankID or Freja+.": "Din e-legitimation har inte tillräckligt hög tillitsnivå för Mina sidor, så du loggades inte in och inget konto skapades. Logga in med en e-legitimation som BankID eller Freja+.",
	"The identity number in your e-identification is not a valid Swedish personal identity number or coordination number, so you were not signed in and no account was created.":                            "Numret i din e-legitimation är inte ett giltigt svenskt personnummer eller samordningsnummer, så du loggades inte in och inget konto skapades.",
	"Enter the identity number of a demo person.":                                                                                                                                                           "Ange personnumret för en person i demon.",
	"The record is already marked as secret towards the person.":                                                                                                                                            "Uppgiften är redan markerad med sekretess mot den enskilde.",
	"The secrecy marking is not valid.":                 "Sekretessmarkeringen är inte korrekt ifylld.",
	"Must be journal_note or form_entry.":               "Ska vara en journalanteckning eller en blankett.",
	"Give the legal ground, at most 200 characters.":    "Ange lagrummet, med högst 200 tecken.",
	"There is no such signed note or form on the case.": "Det finns ingen sådan undertecknad anteckning eller blankett i ärendet.",

	// Releasing a later version from the marks earlier in its chain.
	"The release is not valid.":                "Utlämnandet är inte korrekt ifyllt.",
	"Give the reason, at most 500 characters.": "Ange varför, med högst 500 tecken.",
	"This version is already released.":        "Den här versionen är redan utlämnad.",
	"Nothing earlier in this record's chain withholds it, so there is nothing to release.": "Inget tidigare i uppgiftens kedja undantar den, så det finns inget att lämna ut.",

	// Orders to providers (uppdrag), plans and performed insatser.
	"Leave it out, or give the order of the address.":                                       "Utelämna det, eller ange samma uppdrag som i adressen.",
	"A batch with this key is being stored right now; send it again to get its answer.":     "En sändning med den här nyckeln sparas just nu; skicka den igen för att få svaret.",
	"Accept the order before reporting on its goals.":                                       "Ta emot uppdraget innan du återrapporterar målen.",
	"Accept the order before writing its plan.":                                             "Ta emot uppdraget innan du skriver genomförandeplanen.",
	"Accept the order before reporting on it.":                                              "Ta emot uppdraget innan du rapporterar utförda insatser.",
	"An accepted order cannot be returned; ask the officer to end or change it.":            "Ett mottaget uppdrag kan inte returneras; be handläggaren avsluta eller ändra det.",
	"At most 2000 characters.":                                                              "Högst 2000 tecken.",
	"At most 4000 characters.":                                                              "Högst 4000 tecken.",
	"Cases of this type send no orders to providers.":                                       "Ärenden av den här typen skickar inga uppdrag till utförare.",
	"Choose a provider for every granted decision before ordering: %s.":                     "Välj utförare för varje beviljat beslut innan insatserna beställs: %s.",
	"Choose a provider.":                                                                    "Välj en utförare.",
	"Does not provide this insats.":                                                         "Ger inte den här insatsen.",
	"Does not serve this area.":                                                             "Verkar inte i det här området.",
	"Every goal needs an activity; goal %d has none.":                                       "Varje mål behöver en aktivitet; mål %d saknar.",
	"Give between 1 and %d entries.":                                                        "Ange mellan 1 och %d rader.",
	"Give between 1 and 100 activities.":                                                    "Ange mellan 1 och 100 aktiviteter.",
	"Must be 0 or a cursor from the feed.":                                                  "Ska vara 0 eller en markör från flödet.",
	"Must be a month YYYY-MM.":                                                              "Ska vara en månad ÅÅÅÅ-MM.",
	"Must be achieved, partly or not_achieved.":                                             "Ska vara uppnått, delvis uppnått eller inte uppnått.",
	"Must be sent, accepted, returned or ended.":                                            "Ska vara skickat, mottaget, returnerat eller avslutat.",
	"No such order of yours, or it takes no reports.":                                       "Inget sådant uppdrag hos er, eller så tar det inte emot rapporter.",
	"Not a known activity code.":                                                            "Inte en känd aktivitetskod.",
	"Not an entry of this order.":                                                           "Inte en rapport i det här uppdraget.",
	"Not one of the order's goals.":                                                         "Inte ett av uppdragets mål.",
	"Only a final decision that grants something is carried out by a provider.":             "Bara ett fattat beslut som beviljar något utförs av en utförare.",
	"Only a provider's staff and systems read the orders feed.":                             "Bara en utförares personal och system läser uppdragsflödet.",
	"Only a provider's staff and systems report performed insatser.":                        "Bara en utförares personal och system rapporterar utförda insatser.",
	"Only a provider's staff have orders to list.":                                          "Bara en utförares personal har uppdrag att visa.",
	"Only the provider the order is sent to may do this.":                                   "Bara utföraren som uppdraget är skickat till får göra detta.",
	"Overlaps another report on the same day (%s).":                                         "Överlappar en annan rapport samma dag (%s).",
	"Report on every goal of the order.":                                                    "Återrapportera varje mål i uppdraget.",
	"Required for every granted decision.":                                                  "Krävs för varje beviljat beslut.",
	"Required: 1–100 letters, digits or . _ : -, unique per batch.":                         "Krävs: 1–100 bokstäver, siffror eller . _ : -, unik per sändning.",
	"Say how the person took part: took_part, partly, declined or unable.":                  "Ange hur personen deltog: deltog, delvis, avböjde eller kunde inte.",
	"Say what will be done, in at most 1000 characters.":                                    "Ange vad som ska göras, med högst 1000 tecken.",
	"Say when, in at most 200 characters.":                                                  "Ange när, med högst 200 tecken.",
	"Say who, in at most 200 characters.":                                                   "Ange vem, med högst 200 tecken.",
	"Say why, in at most 1000 characters.":                                                  "Ange varför, med högst 1000 tecken.",
	"Someone saved the plan meanwhile. Reload it and try again.":                            "Någon sparade planen under tiden. Ladda om och försök igen.",
	"The acceptance is not valid.":                                                          "Mottagandet är inte korrekt ifyllt.",
	"The batch is not valid.":                                                               "Sändningen är inte korrekt.",
	"The entry has already been corrected; correct the newest entry instead.":               "Rapporten är redan rättad; rätta den senaste rapporten i stället.",
	"The filter is not valid.":                                                              "Urvalet är inte korrekt.",
	"The goal is reported twice.":                                                           "Målet är rapporterat två gånger.",
	"The month is not valid.":                                                               "Månaden är inte korrekt.",
	"The order has ended; it can be read but no longer changed.":                            "Uppdraget är avslutat; det går att läsa men inte längre ändra.",
	"The order is already accepted.":                                                        "Uppdraget är redan mottaget.",
	"The order is already with this provider.":                                              "Uppdraget ligger redan hos den här utföraren.",
	"The order was changed by someone else meanwhile. Reload it and try again.":             "Någon annan ändrade uppdraget under tiden. Ladda om och försök igen.",
	"The order was returned; it can be read but no longer changed.":                         "Uppdraget är returnerat; det går att läsa men inte längre ändra.",
	"The plan is not valid.":                                                                "Planen är inte korrekt ifylld.",
	"The provider does not provide this insats.":                                            "Utföraren ger inte den här insatsen.",
	"The provider does not serve the case's area.":                                          "Utföraren verkar inte i ärendets område.",
	"The qualifier must be 0–4, 8 or 9.":                                                    "Bedömningen ska vara 0–4, 8 eller 9.",
	"The report back is not valid.":                                                         "Återrapporteringen är inte korrekt ifylld.",
	"The report is not valid; nothing was saved.":                                           "Rapporten är inte korrekt; ingenting sparades.",
	"The return is not valid.":                                                              "Returen är inte korrekt ifylld.",
	"This batch key was already used for a different batch; use a new key for new reports.": "Nyckeln har redan använts för en annan sändning; använd en ny nyckel för nya rapporter.",
	"Cannot be before the decision's period starts (%s).":                                   "Kan inte vara före beslutets giltighetstid börjar (%s).",
	"Cannot be after the decision's period ends (%s).":                                      "Kan inte vara efter att beslutets giltighetstid slutar (%s).",
	"Cannot be before the order's start (%s).":                                              "Kan inte vara före uppdragets start (%s).",
	"Does not match the start and end (%d minutes).":                                        "Stämmer inte med start och slut (%d minuter).",
	"Give both start and end as HH:MM.":                                                     "Ange både start och slut som TT:MM.",
	"Must be after the start.":                                                              "Ska vara efter starten.",
	"Must be between 1 and 1440.":                                                           "Ska vara mellan 1 och 1440.",
	"Give the time spent: start and end, or minutes.":                                       "Ange tiden: start och slut, eller minuter.",
	"Name at least one activity.":                                                           "Ange minst en aktivitet.",
	"Unknown activity code %q.":                                                             "Okänd aktivitetskod %q.",
	"Must be not_home, declined or other.":                                                  "Ska vara inte hemma, avböjde eller annat.",
	"Say what happened.":                                                                    "Beskriv vad som hände.",

	// Providers (utförare).
	"The provider is not valid.":                                                 "Utföraren är inte korrekt angiven.",
	"An internal provider is one of the municipality's units.":                   "En egen utförare är en av kommunens enheter.",
	"Must be internal or external.":                                              "Ska vara egen regi eller extern.",
	"Name at least one insats the provider provides.":                            "Ange minst en insats som utföraren ger.",
	"Every area must be a unit of the municipality.":                             "Varje område ska vara en av kommunens enheter.",
	"A provider with this organisation number (and unit) is already registered.": "En utförare med det här organisationsnumret (och enheten) finns redan.",
	"An organisation number is ten digits, NNNNNN-NNNN.":                         "Ett organisationsnummer har tio siffror, NNNNNN-NNNN.",
	"Provider not found.":                                                        "Utföraren hittades inte.",
	"No such provider.":                                                          "Utföraren finns inte.",
	"A provider's staff may hold only the provider role (utforare).":             "En utförares personal kan bara ha rollen utförare.",
	"The provider role (utforare) needs the provider the user works for.":        "Rollen utförare kräver att du anger utföraren som användaren arbetar för.",
	"The API client is not valid.":                                               "API-klienten är inte korrekt angiven.",
	"API client not found.":                                                      "API-klienten hittades inte.",
	"The municipality has no units yet; create its root unit first.":             "Kommunen har inga enheter än; skapa först dess översta enhet.",
	"Client authentication failed.":                                              "Klienten kunde inte autentiseras.",
	"This is not an organisation number (the third digit is at least 2); a sole trader's personal identity number is not used here.": "Det här är inte ett organisationsnummer (tredje siffran är minst 2); en enskild näringsidkares personnummer används inte här.",
	"The organisation number's check digit is wrong.":                                                             "Organisationsnumrets kontrollsiffra stämmer inte.",
	"The person has a protected identity; a colleague with permission for protected identities must handle this.": "Personen har skyddade personuppgifter; en kollega med behörighet till skyddade personuppgifter behöver hantera detta.",
	"You may not open cases in this unit.":                                                                        "Du får inte öppna ärenden på den här enheten.",
	"Only a team lead of the case's unit may assign it.":                                                          "Bara en arbetsledare på ärendets enhet får fördela ärendet.",
	"You may read this case but not work on it: it is neither assigned to you nor in your unit.":                  "Du får läsa ärendet men inte arbeta i det: det är varken tilldelat dig eller på din enhet.",

	// org
	"The unit is not valid.":                     "Uppgifterna om enheten är inte korrekta.",
	"Name is required.":                          "Namn måste anges.",
	"Name is longer than 200 characters.":        "Namnet är längre än 200 tecken.",
	"Field must be one of AO, IFO, FH, HSL.":     "Verksamhetsområdet ska vara ett av AO, IFO, FH och HSL.",
	"A unit (enhet) cannot have sub-units.":      "En enhet kan inte ha underenheter.",
	"Kind must be %s at this level of the tree.": "Nivån ska vara %s på det här stället i trädet.",

	// persons
	"Unknown protection level.":                                  "Okänd skyddsnivå.",
	"Must be none, sekretessmarkering or skyddad_folkbokforing.": "Ska vara ingen, sekretessmarkering eller skyddad folkbokföring.",
	"Longer than %d characters.":                                 "Längre än %d tecken.",
	"The person's details are not valid.":                        "Personuppgifterna är inte korrekta.",
	"The identity number is not in the population registry.":     "Personnumret finns inte i folkbokföringen.",
	"identity number is empty":                                   "Personnumret saknas.",
	"identity number is too long":                                "Personnumret är för långt.",
	"identity number has more than one separator":                "Personnumret har mer än ett skiljetecken.",
	"identity number contains an invalid character":              "Personnumret innehåller ett tecken som inte är tillåtet.",
	"identity number has %d digits; expected 10 or 12":           "Personnumret har %d siffror; det ska ha 10 eller 12.",
	"identity number has a misplaced separator":                  "Personnumret har ett skiljetecken på fel plats.",
	"identity number with century must use '-' as separator":     "Ett personnummer med sekel ska ha '-' som skiljetecken.",
	"identity number has an invalid month (%d)":                  "Personnumret har en månad som inte finns (%d).",
	"identity number has an invalid day (%d)":                    "Personnumret har en dag som inte finns (%d).",
	"identity number's birth year is out of range":               "Personnumrets födelseår är inte rimligt.",
	"identity number's birth date is in the future":              "Personnumrets födelsedatum ligger i framtiden.",
	"identity number has an invalid check digit":                 "Personnumrets kontrollsiffra stämmer inte.",
	"reserve number has no issuer":                               "Reservnumret saknar utfärdare.",
	"reserve number contains an invalid character":               "Reservnumret innehåller ett tecken som inte är tillåtet.",
	"reserve number is longer than %d characters":                "Reservnumret är längre än %d tecken.",
	"reserve number is empty":                                    "Reservnumret saknas.",

	// Identity numbers as Skatteverket writes them: '+' from the year a
	// person turns 100, centuries 18 to 20, no birth number 000.
	"identity number's birth date is in the future; for someone who turns 100 this year, write '+' or the century": "Personnumrets födelsedatum ligger i framtiden; skriv '+' eller seklet för den som fyller 100 i år.",
	"identity number's century must be 18, 19 or 20":                                                               "Personnumrets sekel ska vara 18, 19 eller 20.",
	"identity number has '+' but the person turns 100 after this year":                                             "Personnumret har '+', men personen fyller 100 först efter det här året.",
	"identity number has birth number 000, which is never issued":                                                  "Personnumret har födelsenumret 000, som aldrig tilldelas.",

	// process (form validation from EvaluateForm is translated there)
	"The new last day of the time limit must be a date (YYYY-MM-DD).":                                       "Tidsfristens nya sista dag ska vara ett datum (ÅÅÅÅ-MM-DD).",
	"The new last day of the time limit (%s) must be after the current one (%s) and not in the past.":       "Tidsfristens nya sista dag (%s) ska vara senare än den nuvarande (%s) och får inte ha passerat.",
	"Cases of this type have no decisions in their process.":                                                "Ärenden av det här slaget har inga beslut i sin process.",
	"Choose an insats of the case type.":                                                                    "Välj en insats som hör till ärendeslaget.",
	"Must be granted, partly or refused.":                                                                   "Ska vara bifall, delvis bifall eller avslag.",
	"Choose one of the case type's legal bases.":                                                            "Välj ett av ärendeslagets lagrum.",
	"Must be a date YYYY-MM-DD.":                                                                            "Ska vara ett datum (ÅÅÅÅ-MM-DD).",
	"Must be a date YYYY-MM-DD, not before valid_from.":                                                     "Ska vara ett datum (ÅÅÅÅ-MM-DD), inte före Gäller från.",
	"Cannot be negative.":                                                                                   "Kan inte vara negativt.",
	"At most 20 000 characters.":                                                                            "Högst 20 000 tecken.",
	"A granted decision needs the date it applies from.":                                                    "Ett beslut om bifall behöver datumet då det börjar gälla.",
	"A decision must be justified.":                                                                         "Ett beslut måste motiveras.",
	"A decision that is not fully granted must tell how to appeal.":                                         "Ett beslut som inte är helt bifall måste tala om hur man överklagar.",
	"The decision is not complete.":                                                                         "Beslutet är inte komplett.",
	"You have no delegation to decide this insats at this amount; a colleague with delegation must decide.": "Du har inte delegation att besluta om den här insatsen med det här beloppet; en kollega med delegation behöver fatta beslutet.",
	"The period is not valid.":                                                                              "Perioden är inte giltig.",
	"Write the %s as %s.":                                                                                   "Skriv perioden (%s) som %s.",
	"Write the month as 2026-07.":                                                                           "Skriv månaden som 2026-07.",
	"Write the quarter as 2026-Q3.":                                                                         "Skriv kvartalet som 2026-Q3.",
	"Write the year as 2026.":                                                                               "Skriv året som 2026.",
	"There is no report %q.":                                                                                "Det finns ingen rapport %q.",
	"The form %q does not exist in this version.":                                                           "Formuläret %q finns inte i den här versionen.",
	"The case type %q is not in the case's process version.":                                                "Ärendeslaget %q finns inte i ärendets version av processen.",
	"The case type has no such transition.":                                                                 "Ärendeslaget har ingen sådan övergång.",
	"Unknown transition.":                                                                                   "Okänd övergång.",

	// service: cases and assignments
	"The case is not valid.":                               "Uppgifterna om ärendet är inte korrekta.",
	"Required, at most 100 characters.":                    "Måste fyllas i, högst 100 tecken.",
	"Required, at most 200 characters.":                    "Måste fyllas i, högst 200 tecken.",
	"Give the person's id or identity number.":             "Ange personens id eller personnummer.",
	"The person does not exist.":                           "Personen finns inte.",
	"No such person.":                                      "Personen finns inte.",
	"The case is closed; nothing more can be added to it.": "Ärendet är avslutat; inget mer kan läggas till.",
	"The user does not exist.":                             "Användaren finns inte.",
	"No such user.":                                        "Användaren finns inte.",
	"The user does not work in the case's unit.":           "Användaren arbetar inte på ärendets enhet.",
	"Has no case role in this unit.":                       "Har ingen roll för ärenden på den här enheten.",

	// service: time limits and inbox
	"The time limit %q is not running (it is met, has not started or has already passed), so it cannot be extended.": "Tidsfristen %q löper inte (den är uppfylld, har inte börjat eller har redan gått ut) och kan därför inte förlängas.",
	"The time limit %q passed a moment ago and can no longer be extended.":                                           "Tidsfristen %q gick ut alldeles nyss och kan inte längre förlängas.",
	"You belong to no team with cases.":   "Du hör inte till någon arbetsgrupp med ärenden.",
	"The unit does not exist.":            "Enheten finns inte.",
	"No such unit.":                       "Enheten finns inte.",
	"The unit is not one of your team's.": "Enheten hör inte till din arbetsgrupp.",
	"Not your team's unit.":               "Inte en enhet i din arbetsgrupp.",

	// service: decisions and execution
	"The case has no such decision.":                                                           "Ärendet har inget sådant beslut.",
	"The decision is already final.":                                                           "Beslutet är redan fattat.",
	"Say why the decision is not executed yet.":                                                "Ange varför beslutet inte är verkställt ännu.",
	"Must be executed, interrupted, resumed or delay.":                                         "Ska vara verkställt, avbrott, återupptaget eller dröjsmål.",
	"At most %d characters.":                                                                   "Högst %d tecken.",
	"The execution entry is not valid.":                                                        "Uppgifterna om verkställigheten är inte korrekta.",
	"Only a final decision that grants something is executed.":                                 "Bara ett fattat beslut som beviljar något verkställs.",
	"Cannot be before the decision (%s).":                                                      "Kan inte vara före beslutet (%s).",
	"Cannot be in the future.":                                                                 "Kan inte vara i framtiden.",
	"Cannot be before the latest entry (%s).":                                                  "Kan inte vara före den senaste noteringen (%s).",
	"The decision was executed on %s already; record an interruption or a resumption instead.": "Beslutet verkställdes redan den %s; registrera ett avbrott eller ett återupptagande i stället.",
	"Only an executed decision that is not already interrupted can be interrupted.":            "Bara ett verkställt beslut som inte redan är avbrutet kan avbrytas.",
	"Only an interrupted decision can be resumed.":                                             "Bara ett avbrutet beslut kan återupptas.",

	// service: reports
	"No process definitions are published yet.": "Inga processdefinitioner är publicerade ännu.",
	"There is no such report.":                  "Rapporten finns inte.",
	"Your roles may not run this report.":       "Dina roller får inte ta fram den här rapporten.",
	"The period has not begun.":                 "Perioden har inte börjat.",
	"Choose a period that has begun.":           "Välj en period som har börjat.",

	// service: journal
	"The note is empty.":                                "Anteckningen är tom.",
	"Write the note.":                                   "Skriv anteckningen.",
	"The note is too long.":                             "Anteckningen är för lång.",
	"At most 50 000 characters.":                        "Högst 50 000 tecken.",
	"Only a signed note of this case can be corrected.": "Bara en signerad anteckning i det här ärendet kan rättas.",
	"No signed note with this id on the case.":          "Ärendet har ingen signerad anteckning med det id:t.",
	"What a note corrects is set when it is started.":   "Vad en anteckning rättar bestäms när den påbörjas.",
	"Leave out when saving a draft.":                    "Ska inte anges när ett utkast sparas.",

	// service: logs and the access log
	"The cursor is not valid.": "Positionen i listan är inte giltig.",
	"Must be 0 or more.":       "Ska vara 0 eller mer.",
	"The access log could not be written, so the data is not shown. Try again.": "Åtkomstloggen kunde inte skrivas, så uppgifterna visas inte. Försök igen.",
	"The access log could not be written, so nothing was changed. Try again.":   "Åtkomstloggen kunde inte skrivas, så inget ändrades. Försök igen.",

	// service: moving cases to a new version
	"The version has no such case type.":                               "Versionen har inget sådant ärendeslag.",
	"Not in version %d.":                                               "Finns inte i version %d.",
	"The step mapping names a step the version does not have.":         "Kopplingen av steg anger ett steg som versionen inte har.",
	"Version %d has no step %q.":                                       "Version %d har inget steg %q.",
	"Running cases cannot be moved to a final step.":                   "Pågående ärenden kan inte flyttas till ett avslutande steg.",
	"%q is a final step.":                                              "%q är ett avslutande steg.",
	"Some cases cannot be mapped; nothing was moved.":                  "Några ärenden kan inte kopplas till ett steg; inget har flyttats.",
	"%d case(s) at this step of version %d need a step of version %d.": "%d ärende(n) i det här steget i version %d behöver ett steg i version %d.",

	// service: tenants and units
	"The tenant is not valid.":                     "Uppgifterna om kommunen är inte korrekta.",
	"Use 2–40 lower-case letters, digits and '-'.": "Använd 2–40 små bokstäver, siffror och '-'.",
	"Required.":                              "Måste fyllas i.",
	"Must be the 4-digit municipality code.": "Ska vara kommunkoden med fyra siffror.",
	"A unit is required.":                    "En enhet måste anges.",

	// service: persons and relations
	"Give either an identity number or a reserve number, not both.":                   "Ange antingen personnummer eller reservnummer, inte båda.",
	"Leave empty when an identity number is given.":                                   "Lämna tomt när personnummer är angivet.",
	"An identity number or a reserve number is required.":                             "Personnummer eller reservnummer måste anges.",
	"The identity number is not in the population registry; enter the person's name.": "Personnumret finns inte i folkbokföringen; skriv in personens namn.",
	"Required when the registry does not know the person.":                            "Måste fyllas i när personen inte finns i folkbokföringen.",
	"Enter a name or an identity number.":                                             "Skriv ett namn eller ett personnummer.",
	"The search text is too long.":                                                    "Söktexten är för lång.",
	"At most 100 characters.":                                                         "Högst 100 tecken.",
	"Must be guardian, representative, god_man or forvaltare.":                        "Ska vara vårdnadshavare, ombud, god man eller förvaltare.",
	"A person cannot act for themselves.":                                             "En person kan inte företräda sig själv.",
	"Custody ends at 18: this person is 18 or older.":                                 "Vårdnaden upphör vid 18 år: personen är 18 år eller äldre.",
	"Custody ends at 18: must be before the child's 18th birthday.":                   "Vårdnaden upphör vid 18 år: ska vara före barnets 18-årsdag.",
	"Birth date unknown: give the day before the 18th birthday as the end.":           "Födelsedatum okänt: ange dagen före 18-årsdagen som slutdatum.",
	"Must not be before valid_from.":                                                  "Får inte vara före Gäller från.",
	"The relation is not valid.":                                                      "Uppgifterna om relationen är inte korrekta.",
	"Person not found.":                                                               "Personen hittades inte.",
	"The person who acts is not registered.":                                          "Personen som företräder är inte registrerad.",
	"Describe why you need to open the records (at least 10 characters).":             "Beskriv varför du behöver öppna uppgifterna (minst 10 tecken).",
	"At most 1000 characters.":                                                        "Högst 1000 tecken.",
	"The emergency opening is not valid.":                                             "Nödöppningen kan inte göras med de här uppgifterna.",

	// service: process definitions and forms
	"Give at least one definition file.":                                                                 "Ange minst en definitionsfil.",
	"Every file needs a plain relative name (no '..', at most 200 characters).":                          "Varje fil behöver ett enkelt relativt namn (utan '..', högst 200 tecken).",
	"The file name %q is given twice.":                                                                   "Filnamnet %q finns två gånger.",
	"The definition files are not valid.":                                                                "Definitionsfilerna är inte korrekta.",
	"The definitions have %d problems and were not published.":                                           "Definitionerna har %d problem och publicerades inte.",
	"These definitions are the same as the published version %d; nothing to publish.":                    "Definitionerna är desamma som i den publicerade versionen %d; det finns inget att publicera.",
	"This unit does not use the case type.":                                                              "Den här enheten använder inte ärendeslaget.",
	"Cases of type %q are not handled here.":                                                             "Ärenden av slaget %q handläggs inte här.",
	"The case type %q has no published process, so the case cannot be moved or have forms.":              "Ärendeslaget %q har ingen publicerad process, så ärendet kan inte flyttas eller ha formulär.",
	"Say which transition to take.":                                                                      "Ange vilken övergång som ska göras.",
	"The case's process has no form %q.":                                                                 "Ärendets process har inget formulär %q.",
	"The form has no such field.":                                                                        "Formuläret har inget sådant fält.",
	"The form was not saved: correct what is marked.":                                                    "Formuläret sparades inte: rätta det som är markerat.",
	"The form names a person who is not registered.":                                                     "Formuläret anger en person som inte är registrerad.",
	"There is no draft of this form to sign.":                                                            "Det finns inget utkast av formuläret att signera.",
	"The form is not complete and cannot be signed.":                                                     "Formuläret är inte komplett och kan inte signeras.",
	"A field you do not see has a value with a mistake (%s); ask a colleague who sees it to correct it.": "Ett fält som du inte ser har ett felaktigt värde (%s); be en kollega som ser fältet att rätta det.",
	"The case type %q has no published process, so the case cannot have forms.":                          "Ärendeslaget %q har ingen publicerad process, så ärendet kan inte ha formulär.",
	"There is no form %q in this version.":                                                               "Det finns inget formulär %q i den här versionen.",
	"There is neither a draft nor a published version to preview.":                                       "Det finns varken ett utkast eller en publicerad version att förhandsgranska.",
	"The draft has problems; correct them to preview its forms.":                                         "Utkastet har problem; rätta dem för att kunna förhandsgranska formulären.",
	"The draft is empty; save definitions in it first.":                                                  "Utkastet är tomt; spara definitioner i det först.",

	// service: users and sign-in
	"Required, at most 100 characters, no spaces.":         "Måste fyllas i, högst 100 tecken, utan mellanslag.",
	"Give both the OpenID issuer and subject, or neither.": "Ange både utfärdare och användar-id för OpenID, eller ingetdera.",
	"Unknown role %s.":             "Okänd roll %s.",
	"Grant %s: no such unit.":      "Behörighet %s: enheten finns inte.",
	"The user is not valid.":       "Uppgifterna om användaren är inte korrekta.",
	"The account is disabled.":     "Kontot är avstängt.",
	"Wrong username or password.":  "Fel användarnamn eller lösenord.",
	"Enter username and password.": "Skriv användarnamn och lösenord.",
	"Your sign-in worked, but no trygg account is linked to it. Ask your system administrator.": "Inloggningen lyckades, men inget konto i trygg är kopplat till den. Kontakta din systemförvaltare.",
	"Sign in to continue.":                     "Logga in för att fortsätta.",
	"Your session has expired. Sign in again.": "Din session har gått ut. Logga in igen.",

	// auth: the password policy (password_policy.go).
	"The password cannot be used.": "Lösenordet kan inte användas.",
	"At least 15 characters. A few words that do not belong together make a good password.": "Minst 15 tecken. Några ord som inte hör ihop blir ett bra lösenord.",
	"At most 256 characters.": "Högst 256 tecken.",
	"The password is the published demo password or close to it; choose another.":              "Lösenordet är demons publicerade lösenord eller nästan samma; välj ett annat.",
	"The password contains the name of the system (trygg); choose another.":                    "Lösenordet innehåller systemets namn (trygg); välj ett annat.",
	"The password contains the username or the user's name; choose another.":                   "Lösenordet innehåller användarnamnet eller användarens namn; välj ett annat.",
	"The password is on a list of common or leaked passwords; choose another.":                 "Lösenordet finns på en lista över vanliga eller läckta lösenord; välj ett annat.",
	"The password is a repeated or sequential pattern (such as aaaa or 1234); choose another.": "Lösenordet är ett upprepat mönster eller en följd (som aaaa eller 1234); välj ett annat.",
	"The password is a common or leaked password with small changes; choose another.":          "Lösenordet är ett vanligt eller läckt lösenord med små ändringar; välj ett annat.",

	// store
	"%s not found.":       "%s hittades inte.",
	"Case not found.":     "Ärendet hittades inte.",
	"Decision not found.": "Beslutet hittades inte.",
	"Note not found.":     "Anteckningen hittades inte.",
	"Session not found.":  "Sessionen hittades inte.",
	"Tenant not found.":   "Kommunen hittades inte.",
	"Unit not found.":     "Enheten hittades inte.",
	"User not found.":     "Användaren hittades inte.",
	"The decision is final and cannot be changed.":                                    "Beslutet är fattat och kan inte ändras.",
	"Someone else published at the same moment; try again.":                           "Någon annan publicerade samtidigt; försök igen.",
	"No such definition version.":                                                     "Den versionen av definitionerna finns inte.",
	"The form was signed by someone else meanwhile.":                                  "Formuläret har signerats av någon annan under tiden.",
	"The case changed while you were working on it; reload it and try again.":         "Ärendet ändrades medan du arbetade med det; ladda om sidan och försök igen.",
	"A case changed while it was being moved; nothing was moved. Preview again.":      "Ett ärende ändrades medan det flyttades; inget har flyttats. Förhandsgranska igen.",
	"Only your own draft can be changed; a signed note is corrected with a new note.": "Bara ditt eget utkast kan ändras; en signerad anteckning rättas med en ny anteckning.",
	"Only your own draft can be signed, once.":                                        "Bara ditt eget utkast kan signeras, och bara en gång.",
	"A tenant with this id already exists.":                                           "Det finns redan en kommun med det id:t.",
	"A unit with this id already exists.":                                             "Det finns redan en enhet med det id:t.",
	"A person with this identity number is already registered.":                       "En person med det personnumret är redan registrerad.",
	"Give a name or an identity number to search for.":                                "Ange ett namn eller ett personnummer att söka efter.",
	"timers were claimed by another server":                                           "Tidsfristerna hanteras redan av en annan server.",
	"The username is taken.":                                                          "Användarnamnet är upptaget.",
	"Already in use.":                                                                 "Används redan.",

	// Text that is stored (internal/storedtext; stored_text.go).
	"Some text has characters that are not allowed.":        "Någon text har tecken som inte är tillåtna.",
	"The form is larger than %d kB.":                        "Formuläret är större än %d kB.",
	"Contains bytes that are not UTF-8 text.":               "Innehåller byte som inte är UTF-8-text.",
	"Contains a control character.":                         "Innehåller ett styrtecken.",
	"Contains a character that changes the text direction.": "Innehåller ett tecken som ändrar textens riktning.",
	"Must be one line, without line breaks or tabs.":        "Ska vara en rad, utan radbrytningar eller tabbar.",

	// web
	"The form could not be read.":                                               "Formuläret kunde inte läsas.",
	"The form could not be read; it may be larger than %d MiB.":                 "Formuläret kunde inte läsas; det kan vara större än %d MiB.",
	"The form could not be read: every file needs a name and a content.":        "Formuläret kunde inte läsas: varje fil behöver ett namn och ett innehåll.",
	"A decision letter is written once the decision is made.":                   "Ett beslutsbrev skrivs först när beslutet är fattat.",
	"Only process designers (verksamhetsutvecklare) may use the process pages.": "Bara verksamhetsutvecklare får använda processidorna.",
	"Version %d has no such case type.":                                         "Version %d har inget sådant ärendeslag.",
	"An internal error occurred.":                                               "Ett internt fel inträffade. Försök igen om en stund.",
	"There is no such report, or your roles may not run it.":                    "Rapporten finns inte, eller så får dina roller inte ta fram den.",
	"Sign-in through an identity provider is not configured.":                   "Inloggning via organisationens inloggningstjänst är inte inställd.",
	"The sign-in could not be completed. Start again from the sign-in page.":    "Inloggningen kunde inte slutföras. Börja om från inloggningssidan.",
	"The query is not valid.":                                                   "Frågan är inte giltig.",
	"There is no such API endpoint.":                                            "Det finns ingen sådan adress i API:t.",
	"Must be true or false.":                                                    "Ska vara true eller false.",
	"The body must be JSON (Content-Type: application/json).":                   "Innehållet ska vara JSON (Content-Type: application/json).",
	"The body must hold a single JSON object.":                                  "Innehållet ska vara ett enda JSON-objekt.",
	"The body is larger than %d bytes.":                                         "Innehållet är större än %d byte.",
	"The body is not valid JSON (error at byte %d).":                            "Innehållet är inte giltig JSON (fel vid byte %d).",
	"The body is not valid JSON (it ends too early).":                           "Innehållet är inte giltig JSON (det tar slut för tidigt).",
	"The body is empty; a JSON object is required.":                             "Innehållet är tomt; ett JSON-objekt krävs.",
	"A field has the wrong type.":                                               "Ett fält har fel typ.",
	"Must be %s.":                                                               "Ska vara %s.",
	"Must be text.":                                                             "Ska vara text.",
	"Must be a whole number.":                                                   "Ska vara ett heltal.",
	"Must be a number.":                                                         "Ska vara ett tal.",
	"Must be a list.":                                                           "Ska vara en lista.",
	"Must be an object.":                                                        "Ska vara ett objekt.",
	"The body has a field this endpoint does not know.":                         "Innehållet har ett fält som den här adressen inte känner till.",
	"Unknown field.":                                                            "Okänt fält.",
	"The body could not be read as JSON.":                                       "Innehållet kunde inte läsas som JSON.",
}

// fieldNames names the fields of invalid errors as plain words. A field
// not listed is shown by its key.
var fieldNames = map[string]struct{ sv, en string }{
	"address.city":        {"Ort", "City"},
	"address.postal_code": {"Postnummer", "Postal code"},
	"address.street":      {"Gatuadress", "Street address"},
	"after":               {"Position", "Position"},
	"amount":              {"Belopp", "Amount"},
	"appeal_notice":       {"Hur man överklagar", "How to appeal"},
	"body":                {"Anteckning", "Note"},
	"case_type":           {"Ärendeslag", "Case type"},
	"corrects":            {"Rättar", "Corrects"},
	"display_name":        {"Namn som visas", "Display name"},
	"family_name":         {"Efternamn", "Family name"},
	"field":               {"Verksamhetsområde", "Field"},
	"files":               {"Filer", "Files"},
	"from_person_id":      {"Företrädare", "Acting person"},
	"given_name":          {"Förnamn", "Given name"},
	"grants":              {"Behörigheter", "Grants"},
	"identity_number":     {"Personnummer", "Identity number"},
	"insats":              {"Insats", "Insats"},
	"interim_help":        {"Tillfällig hjälp", "Interim help"},
	"justification":       {"Motivering", "Justification"},
	"kind":                {"Typ", "Kind"},
	"legal_basis":         {"Lagrum", "Legal basis"},
	"municipality_code":   {"Kommunkod", "Municipality code"},
	"name":                {"Namn", "Name"},
	"note":                {"Anteckning", "Note"},
	"offers":              {"Erbjudanden", "Offers"},
	"oidc_subject":        {"OpenID", "OpenID"},
	"on":                  {"Datum", "Date"},
	"outcome":             {"Beslut", "Outcome"},
	"parent_id":           {"Överordnad enhet", "Parent unit"},
	"password":            {"Lösenord", "Password"},
	"period":              {"Period", "Period"},
	"person_id":           {"Person", "Person"},
	"protection":          {"Skyddsnivå", "Protection level"},
	"query":               {"Sökning", "Search"},
	"reason":              {"Skäl", "Reason"},
	"reserve_number":      {"Reservnummer", "Reserve number"},
	"title":               {"Rubrik", "Title"},
	"transition":          {"Övergång", "Transition"},
	"unit_id":             {"Enhet", "Unit"},
	"user_id":             {"Användare", "User"},
	"username":            {"Användarnamn", "Username"},
	"valid_from":          {"Gäller från", "Applies from"},
	"valid_to":            {"Gäller till", "Applies until"},
}

// fieldName returns the plain name of an invalid error's field in lang:
// form values by their field, steps by "Steg …", unknown keys as they are.
func fieldName(lang, key string) string {
	if n, ok := fieldNames[key]; ok {
		if lang == "en" {
			return n.en
		}
		return n.sv
	}
	if rest, ok := strings.CutPrefix(key, "values."); ok {
		return rest
	}
	if rest, ok := strings.CutPrefix(key, "steps."); ok {
		if lang == "en" {
			return "Step " + rest
		}
		return "Steg " + rest
	}
	return key
}

// errorFormat is one entry of errorSwedish made ready to match: the
// English format as an anchored pattern with a group per verb, and the
// Swedish text around its verbs.
type errorFormat struct {
	format string
	re     *regexp.Regexp
	sv     []string // len(groups)+1 pieces of text
	fixed  int      // characters that are not verbs, to try the most specific first
}

// errorVerb matches a fmt verb with its flags, width and precision.
var errorVerb = regexp.MustCompile(`%[-+# 0]*(?:\d+|\*)?(?:\.(?:\d+|\*)?)?[a-zA-Z%]`)

// errorExact and errorFormats are errorSwedish compiled once: messages
// without verbs are looked up, the others matched in turn.
var errorExact, errorFormats = compileErrorTable(errorSwedish)

// compileErrorTable splits the table into plain messages and compiled
// formats; an entry whose Swedish has other verbs than its English is a
// programming error.
func compileErrorTable(table map[string]string) (map[string]string, []errorFormat) {
	exact := map[string]string{}
	var formats []errorFormat
	for en, sv := range table {
		enText, enVerbs := splitFormat(en)
		svText, svVerbs := splitFormat(sv)
		if !slices.Equal(enVerbs, svVerbs) {
			panic(fmt.Sprintf("web: the Swedish of error message %q has verbs %v, not %v", en, svVerbs, enVerbs))
		}
		if len(enVerbs) == 0 {
			exact[enText[0]] = svText[0]
			continue
		}
		var pat strings.Builder
		pat.WriteString(`(?s)^`)
		fixed := 0
		for i, t := range enText {
			pat.WriteString(regexp.QuoteMeta(t))
			fixed += len(t)
			if i < len(enVerbs) {
				pat.WriteString(verbPattern(enVerbs[i]))
			}
		}
		pat.WriteString(`$`)
		formats = append(formats, errorFormat{format: en, re: regexp.MustCompile(pat.String()), sv: svText, fixed: fixed})
	}
	slices.SortFunc(formats, func(a, b errorFormat) int {
		if a.fixed != b.fixed {
			return b.fixed - a.fixed
		}
		return strings.Compare(a.format, b.format)
	})
	return exact, formats
}

// splitFormat returns a format's text between its verbs (with %% as %)
// and the verbs, so len(text) == len(verbs)+1.
func splitFormat(f string) (text, verbs []string) {
	var cur strings.Builder
	last := 0
	for _, loc := range errorVerb.FindAllStringIndex(f, -1) {
		cur.WriteString(f[last:loc[0]])
		last = loc[1]
		v := f[loc[0]:loc[1]]
		if v == "%%" {
			cur.WriteByte('%')
			continue
		}
		text = append(text, cur.String())
		cur.Reset()
		verbs = append(verbs, v)
	}
	cur.WriteString(f[last:])
	return append(text, cur.String()), verbs
}

// verbPattern is what a verb's value may look like in a message.
func verbPattern(verb string) string {
	switch verb[len(verb)-1] {
	case 'q':
		return `("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`)"
	case 'd':
		return `([-+]?\d+)`
	}
	return `(.+?)`
}

// MessageIn returns one message of a *trygg.Error in lang: English as
// written, Swedish through errorSwedish. A message with no entry is
// returned as it is.
func MessageIn(lang, m string) string {
	if lang == "en" || m == "" {
		return m
	}
	if sv, ok := errorExact[m]; ok {
		return sv
	}
	for _, f := range errorFormats {
		args := f.re.FindStringSubmatch(m)
		if args == nil {
			continue
		}
		var b strings.Builder
		for i, t := range f.sv {
			b.WriteString(t)
			if i+1 < len(args) {
				b.WriteString(args[i+1])
			}
		}
		return b.String()
	}
	return m
}

// ProblemText returns the user-safe text of err in lang: its message and,
// for an invalid error, each field's name and message ("Beslutet är inte
// komplett. Motivering: Ett beslut måste motiveras."). Internal errors get
// the generic text.
func ProblemText(lang string, err error) string {
	msg := trygg.ErrorMessage(err)
	text := MessageIn(lang, msg)
	var te *trygg.Error
	if !errors.As(err, &te) || len(te.Fields) == 0 {
		return text
	}
	keys := make([]string, 0, len(te.Fields))
	for k := range te.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(text)
	for _, k := range keys {
		m := te.Fields[k]
		if m == "" || m == msg { // the message already says it
			continue
		}
		if b.Len() > 0 {
			if !strings.ContainsAny(b.String()[b.Len()-1:], ".!?:") {
				b.WriteByte('.')
			}
			b.WriteByte(' ')
		}
		b.WriteString(fieldName(lang, k) + ": " + MessageIn(lang, m))
	}
	return b.String()
}
