"""Why a figure misses its target, where we have looked into it: bench/report.py prints the reason
under the figure's measured profile (common.profile_page) in BENCHMARKS.md's list of misses.

Keyed by the figure's name as its bench module gives it. A reason says what the time is spent on
and why it stays; when a change makes the figure meet its target the reason is simply not shown
(only misses print one), and it should then be deleted here.
"""

from __future__ import annotations

_SIGNUP_HTTP = (
    "a sign-up is a write transaction (the shift's row lock, the rules' two index reads, the "
    "insert, the triggers that keep the report summaries, the confirmation and reminders queued, "
    "a commit that waits for the WAL flush): 9 queries, 11 round trips to PostgreSQL and 3 to "
    "Redis, ~9 ms of CPU in-process against ~0.4 ms for the bare view, which touches no "
    "database. kombu no longer builds a Redis client per message it publishes "
    "(volunteer_net/celery.py; a sign-up's CPU in-process 10.0 → 9.3 ms, measured back to back); "
    "what remains is Django building its queries (~30 % of the CPU), the eligibility reads, "
    "building its messages, the shift's lock, the token look-up and the throttle; every query "
    "is under 0.5 ms warm. One fifth "
    "of the bare view would leave ~2 ms per sign-up for all of that on these 2 cores. Zero "
    "errors and zero overbooking hold."
)
_BOOKING_HTTP = (
    "as for sign-ups: a booking locks its slot, checks the person's other visits and their "
    "limit of future visits (one read since 4f38d9f), inserts, keeps the visits summary by "
    "trigger, queues its confirmation and reminders and commits: 7 queries, ~10 ms of CPU "
    "in-process, the same shares as a sign-up's. Zero errors and zero overbooking hold."
)
_SWEEP = (
    "within 3 % of the target: per message the sweep spends ~265 µs of CPU (rendering shared "
    "per text and language, the e-mail built straight to bytes) and its PostgreSQL backend "
    "~215 µs on the claim and the one committed mark per message that keeps delivery "
    "exactly-once; on 2 cores one process gets ~2 080 messages per CPU-second. Batching the "
    "marks would pass it, at the price of more duplicates after a killed worker. Two processes "
    "(two workers, as deployed) pass the target."
)
_WEEKENDS = (
    "the weekend filter is index-backed (its SQL ~5 ms, was 21) and the campaign cards are "
    "written in Python (events_tags.campaign_cards, ~20 % fewer calls than the template); what "
    "remains is the request's own work: the filter form, the chrome and the ORM building its "
    "queries."
)
_NEAREST = (
    "its SQL now finds the campaigns with a shift near the person first, along an index on open "
    "shifts' coordinates (events/0011: 4 845 → 904 buffers), and each one's closest shift by an "
    "aggregate; the rest is the page's Python, as for the other campaign lists."
)
_DASHBOARD_COMPUTED = (
    "a first view computes every section from PostgreSQL, side by side on three threads with "
    "connections of their own (reports/sections.py), the longest handed out first; the profile "
    "above is of the same view computed serially. The detachments table's Total had gone bad at "
    "national scale (400 detachments: the sign-ups of their members read three ways, one plan "
    "expecting 101 000 members where there are 14 000): since 5cb8f10 the table and its Total "
    "come from one grouped read, members from an index of the people with a detachment "
    "(reports/0018: 23–33 → 2.2 ms), the regions' active Total from the headline's read, 37 → 33 "
    "queries. What remains is that grouped read of every detachment member's sign-ups (~40 % of "
    "the SQL), 'active in the period' per month and the exact median time to help over ~114 000 "
    "done requests: maintained summaries for those (per detachment, kept by triggers on "
    "sign-ups, shifts and a person's detachment; a duration histogram for the median's bucket) "
    "are the next step. A coordinator's first view is within the target, and later views within "
    "REPORTS_DASHBOARD_CACHE_SECONDS are served drawn from the cache."
)
_XLSX_WHOLE = (
    "PostgreSQL builds each row's XML (cells typed, text escaped where a regular expression finds "
    "it needed) in one backend: the same COPY written to /dev/null on the server takes ~2.5× its "
    "CSV, so even with no Python at all the design gives ~0.4 of COPY; timed alone on a quiet "
    "host the export measures 0.33–0.34. Cheaper tests than the one regular expression (LIKE, "
    "strpos, translate) are each a pass over every character too, and PostgreSQL computes the "
    "XML above the Gather Merge, in the leader, so a parallel plan does not share it."
)
_MAP_FRONT_OFFICES = (
    "not its query, as a rule: its best run stays within ~1.3× its best floor. Its requests were "
    "bimodal in one process (~30 ms or ~80–100 ms), the slow ones Python's collector making a "
    "full pass over the process while the 10 000 features' dicts were built; since `c182ff5` the "
    "map's collections are built and serialised with the collector off, and the run after it "
    "measured 1.17×. A miss now is more likely the host (compare the speed line above)."
)

_NAME_SEARCH = (
    "a national search by name reads every match — some 8 000 people whose folded name contains "
    "the text, through the trigram index — to give its exact total and to order them in the "
    "page's alphabet (ICU collation) before keeping 25; that SQL alone is 11–16 ms on a quiet "
    "machine. A coordinator's search (one region) meets the target; ranking in SQL without "
    "reading all matches would need a stored collation key per person."
)
_OVERVIEW = (
    "each figure is an index-only count per region, but the bench database registers its 100 000 "
    "people when it is seeded, so 'new registrations this week' counts all of them (a live "
    "region's week is a few hundred); the coordinator's overview meets the target."
)
_CARE_MAP = (
    "the SQL is ~5 ms (requests along their index, beneficiaries by id) and PostgreSQL now finds "
    "each point's grid cell, each cell's centre written once (41 000 → 25 000 Python calls a "
    "request); what remains is building and serialising ~1 800 GeoJSON features (orjson already). "
    "Building the features as JSON in PostgreSQL would move the privacy rule (exact point only "
    "for those who go) into SQL; not done."
)
_CARE_REQUEST = (
    "11 queries, ~4 ms of SQL (suggestions from the best tier along a covering index); its audit "
    "table is written in Python since fbd3b95 (11–19 → 0.5 ms under load). What remains is the "
    "ORM building the suggestions' query, the page's forms and template, and the two audit rows "
    "every view of a beneficiary's address and phone writes (personal-data law), which the floor "
    "does not count."
)
_ROSTER_COORDINATOR = (
    "about 6.5 ms of Python around ~2.3 ms of SQL, profiled in-process (process CPU): the ORM "
    "building and compiling the page's 7 queries ~28 %, the template engine (the header row, the "
    "filter form's loop, the text input's widget templates) ~25 %, the rows with their 25 model "
    "objects ~23 %, the two forms' construction ~10 %, the chrome and middleware ~1.1 ms (was "
    "1.4: the session read, the static names and the CSRF token, 16a85a9). Within 2× of its "
    "SQL would leave ~2.3 ms for all of that: SQL compiled once and reused, rows read as plain "
    "values and no form objects, a page written outside Django's forms and templates."
)

REASONS: dict[str, str] = {
    "national: search by name, all regions": _NAME_SEARCH,
    "national: search in Latin (Nurlan)": _NAME_SEARCH,
    "national: regions overview, all 20": _OVERVIEW,
    "coordinator: map layer, Almaty": _CARE_MAP,
    "coordinator: request page with suggestions": _CARE_REQUEST,
    "sign-ups for the last places POST /api/shifts/…/signup/ (sync, 2 workers, 32 clients)": _SIGNUP_HTTP,
    "sign-ups for the last places POST /api/shifts/…/signup/ (gthread, 2 workers × 4 threads, 32 clients)": _SIGNUP_HTTP,
    "bookings of the last visit places POST /api/visits/ (sync, 2 workers, 32 clients)": _BOOKING_HTTP,
    "bookings of the last visit places POST /api/visits/ (gthread, 2 workers × 4 threads, 32 clients)": _BOOKING_HTTP,
    "national: dashboard, year so far (computed)": _DASHBOARD_COMPUTED,
    "national: dashboard, whole data (computed)": _DASHBOARD_COMPUTED,
    "volunteer: campaigns, weekends": _WEEKENDS,
    "volunteer: campaigns, nearest to me, all regions": _NEAREST,
    "coordinator: roster, first page": _ROSTER_COORDINATOR,
    "coordinator: roster, page 5 of 100 per page": _ROSTER_COORDINATOR,
    "coordinator: search by name (Kazakh)": _ROSTER_COORDINATOR,
    "coordinator: search by phone": _ROSTER_COORDINATOR,
    "coordinator: filters age+evenings": _ROSTER_COORDINATOR,
    "/api/map/front-offices/ (10020 features)": _MAP_FRONT_OFFICES,
}
_PREFIXES: dict[str, str] = {
    "sweep, 1 process": _SWEEP,
    "sign-ups XLSX, whole": _XLSX_WHOLE,
}


def reason_for(figure: str) -> str:
    if figure in REASONS:
        return REASONS[figure]
    return next((text for prefix, text in _PREFIXES.items() if figure.startswith(prefix)), "")
