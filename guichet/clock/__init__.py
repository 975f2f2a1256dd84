"""The service clock: business days, suspensions and due dates, with no Django import.

Public API:
- `BusinessCalendar.build(tables)`: closure days (confirmed tables, the rule elsewhere) and the
  business-day ordinal table.
- `engine`: one clock at a time (`compute`, `due_date`, `elapsed`, `status`, `outcome`,
  `explain`).
- `batch.compute_batch`: the same over numpy arrays, for millions of clocks.
"""

from guichet.clock.calendar import BusinessCalendar, CalendarRangeError, Closure
from guichet.clock.closures import quebec_closure_days
from guichet.clock.engine import (
    ClockInputError,
    ClockResult,
    DayReason,
    ExplainedDay,
    Outcome,
    Status,
    Suspension,
    compute,
    due_date,
    elapsed,
    explain,
    outcome,
    status,
    suspended_days,
)

__all__ = [
    "BusinessCalendar",
    "CalendarRangeError",
    "ClockInputError",
    "ClockResult",
    "Closure",
    "DayReason",
    "ExplainedDay",
    "Outcome",
    "Status",
    "Suspension",
    "compute",
    "due_date",
    "elapsed",
    "explain",
    "outcome",
    "quebec_closure_days",
    "status",
    "suspended_days",
]
