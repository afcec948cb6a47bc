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
    "Redis, ~8 ms of CPU in-process (the service alone 5.5 ms, see 'service: sign-up') against "
    "~0.4 ms for the bare view, which touches no database. Profiled in-process, a sign-up's CPU "
    "goes to publishing its confirmation to Celery (15–17 %, a third of it kombu building a Redis "
    "client per message), the eligibility reads (~15 %), building its messages (~12 %), the "
    "shift's lock, the visibility check and the token look-up (~8 % each) and the throttle (~6 %); "
    "every query is under 0.5 ms warm. One fifth of the bare view would leave ~2 ms per sign-up "
    "for all of that on these 2 cores. Zero errors and zero overbooking hold."
)
_BOOKING_HTTP = (
    "as for sign-ups: a booking locks its slot, checks the person's other visits, inserts, keeps "
    "the visits summary by trigger, queues its confirmation and reminders and commits: 8 queries, "
    "10 round trips, ~7.5 ms of CPU in-process, the same shares as a sign-up's. Zero errors and "
    "zero overbooking hold."
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
    "the weekend filter is index-backed now (its SQL 6 ms, was 21); what remains is the list's "
    "template (~11 ms for a full page of campaign cards, the same template the other filters' "
    "shorter lists use)."
)
_DASHBOARD_COMPUTED = (
    "a first view computes every section from PostgreSQL, side by side on three threads with "
    "connections of their own (reports/sections.py), the longest handed out first; the profile "
    "above is of the same view computed serially. On 2 cores the view is bound by the CPU "
    "PostgreSQL and Python share, not by waiting: serially the sections take ~115 ms on a quiet "
    "host, side by side ~74 ms, then the page itself (~12 ms, as the cached view shows). The "
    "largest reads are what sums cannot give: 'active in the period' per month and per region, "
    "distinct people from the activity table (~16 + 10 ms), each listed detachment member's "
    "sign-ups and hours (~21 ms), the exact median time to help over ~114 000 done requests "
    "(~15 ms), and the day summary's rollup (~14 ms). With the median and the rollup taken out, "
    "the sections side by side measured 23 % less: maintained summaries for those two (a "
    "month rollup beside the day summary; a duration histogram to find the median's bucket) are "
    "the next step. A coordinator's first view is within the target, and later views within "
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
    "the SQL is ~5 ms (requests along their index, beneficiaries by id); what remains is building "
    "and serialising ~1 800 GeoJSON features in Python (orjson already), each point snapped to "
    "its grid cell for people not assigned."
)
_CARE_REQUEST = (
    "12 queries, ~4 ms of SQL (suggestions from the best tier along a covering index); what "
    "remains is the page's forms and template, and the two audit rows every view of a "
    "beneficiary's address and phone writes (personal-data law), which the floor does not count."
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
