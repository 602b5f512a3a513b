// Reads an iCalendar file on stdin with ical.js (Mozilla's parser, the one Thunderbird uses) and prints every
// VEVENT as JSON: {uid, start, end}, start and end as UTC instants in milliseconds. Each event's TZID is
// resolved through the VTIMEZONE blocks of the same file, as a subscribed calendar would (defect T1).
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

const root = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
}
const events = root.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    start: event.startDate.toJSDate().getTime(),
    end: event.endDate.toJSDate().getTime(),
  };
});
process.stdout.write(JSON.stringify(events));
