"""Two people of a department claim the same ticket at the same moment: exactly one wins."""
import sys
import threading

import pytest

from backend.services import accounts, tickets
from conftest import PASSWORD


@pytest.fixture
def second_transport_user(app):
    with app.app_context():
        accounts.upsert_user("dept-transport-2", PASSWORD, "department", "371323", "transport")
    return "dept-transport-2"


def claim_concurrently(app, api, ticket_id, usernames):
    tokens = {u: api.token(u) for u in usernames}
    barrier = threading.Barrier(len(usernames))
    statuses = {}

    def claim(username):
        client = app.test_client()
        barrier.wait()
        r = client.post(f"/api/v1/tickets/{ticket_id}/claim", json={},
                        headers={"Authorization": f"Bearer {tokens[username]}"})
        statuses[username] = (r.status_code, r.get_json())

    threads = [threading.Thread(target=claim, args=(u,)) for u in usernames]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return statuses


def test_two_claims_after_both_read_the_ticket_exactly_one_wins(app, api, submit, run_jobs,
                                                                 second_transport_user, monkeypatch):
    """Both requests load the ticket before either writes; the version guard decides."""
    ticket_id = submit().get_json()["ticket_id"]
    run_jobs()
    both_read = threading.Barrier(2)
    original = tickets.get_visible

    def read_then_wait(actor, tid):
        ticket = original(actor, tid)
        both_read.wait(timeout=5)
        return ticket

    monkeypatch.setattr(tickets, "get_visible", read_then_wait)
    statuses = claim_concurrently(app, api, ticket_id, ["dept-transport", second_transport_user])
    codes = sorted(code for code, _ in statuses.values())
    assert codes == [200, 409], statuses
    loser = next(body for code, body in statuses.values() if code == 409)
    assert loser["code"] == "stale_ticket" and "「办理中」" in loser["message"]

    monkeypatch.undo()
    ticket = api.get(f"/api/v1/tickets/{ticket_id}", as_="office").get_json()
    winner = next(u for u, (code, _) in statuses.items() if code == 200)
    assert [e["action"] for e in ticket["events"]].count("claim") == 1
    assert ticket["events"][-1]["actor_name"] == winner


def test_many_simultaneous_claims_on_many_tickets_have_one_winner_each(app, api, submit, run_jobs,
                                                                      second_transport_user, monkeypatch):
    """On each ticket both claimants read it before either writes: only the version guard
    can refuse the loser, as stale."""
    ids = [submit(title=f"道路坑洼 {i}").get_json()["ticket_id"] for i in range(5)]
    run_jobs()
    both_read = threading.Barrier(2)  # trips once per ticket, then resets itself
    original = tickets.get_visible

    def read_then_wait(actor, tid):
        ticket = original(actor, tid)
        if actor.role == "department":
            both_read.wait(timeout=5)
        return ticket

    monkeypatch.setattr(tickets, "get_visible", read_then_wait)
    for ticket_id in ids:
        statuses = claim_concurrently(app, api, ticket_id, ["dept-transport", second_transport_user])
        assert sorted(code for code, _ in statuses.values()) == [200, 409], statuses
        loser = next(body for code, body in statuses.values() if code == 409)
        assert loser["code"] == "stale_ticket", loser
        events = api.get(f"/api/v1/tickets/{ticket_id}", as_="office").get_json()["events"]
        assert [e["action"] for e in events] == ["open", "route", "claim"]


def test_the_compare_and_set_under_every_state_change_lets_exactly_one_writer_win(app, submit):
    """The guard the ticket writer relies on, hammered from many threads: every round, all
    threads read the same version and try to advance it; exactly one may succeed. (In the
    embedded mode this holds only because writes to mongomock are serialised.)"""
    from backend.models import Ticket

    ticket_id = submit().get_json()["ticket_id"]
    threads, rounds = 8, 60
    barrier = threading.Barrier(threads)
    wins = [0] * rounds

    def contend(index):
        for n in range(rounds):
            barrier.wait(timeout=10)
            if Ticket.objects(id=ticket_id, version=n + 1).modify(new=True, inc__version=1) is not None:
                wins[n] += 1
            barrier.wait(timeout=10)

    workers = [threading.Thread(target=contend, args=(i,)) for i in range(threads)]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: widen every race window
    try:
        for w in workers:
            w.start()
        for w in workers:
            w.join(60)
    finally:
        sys.setswitchinterval(switch)
    assert wins == [1] * rounds
    with app.app_context():
        assert Ticket.objects.get(id=ticket_id).version == rounds + 1
