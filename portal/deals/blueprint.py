"""The deals blueprint: registrations (`views`), customers (`views_customers`) and direct leads
(`views_leads`) add their routes to it; `portal.deals.wiring` registers it once all three are."""
from flask import Blueprint

bp = Blueprint("deals", __name__)
