"""The invoice pages: staff run, issue and credit; PDF and CSV downloads; the clinic sees only its
own issued invoices and never a pay figure; payroll and the money reports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

from pypdf import PdfReader
from sqlalchemy import select

from agency.extensions import db
from agency.models import Invoice
from agency.services import invoicing
from tests.money.invoice_fixtures import WEEK, MoneyScene, local, money, sheet

__all__ = ["money"]


def _two_sheets(scene: MoneyScene) -> None:
    ana, ben = scene.workers
    # Bill 240.00 / pay 150.00; bill 336.00 / pay 210.00 (2 h of overtime).
    sheet(scene, ana, local(WEEK + timedelta(days=1), 8))
    sheet(scene, ben, local(WEEK + timedelta(days=2), 8), overtime=120)


def _issue_through_pages(client: Any, scene: MoneyScene) -> Invoice:
    response = client.post("/staff/invoices/run", data={"week": WEEK.isoformat()})
    assert response.status_code == 302
    draft = db.session.execute(select(Invoice)).scalar_one()
    page = client.get(f"/staff/invoices/{draft.id}").get_data(as_text=True)
    assert "$576.00" in page and "$360.00" in page  # staff see the pay (150 + 210)
    assert client.post(f"/staff/invoices/{draft.id}/issue").status_code == 302
    db.session.expire_all()
    return db.session.get(Invoice, draft.id)


def test_staff_draft_issue_and_download(client: Any, login_as: Any, money: MoneyScene) -> None:
    _two_sheets(money)
    login_as(money.staff)
    issued = _issue_through_pages(client, money)
    year = invoicing.agency_today().year
    assert issued.number == f"INV-{year}-00001" and issued.total == Decimal("576.00")

    pdf = client.get(f"/staff/invoices/{issued.id}/export?format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert issued.number in text and "$576.00" in text and "Ana Worker" in text
    assert "150.00" not in text  # the pay never goes on the document

    rows = list(
        csv.reader(io.StringIO(client.get(f"/staff/invoices/{issued.id}/export?format=csv").text))
    )
    assert [r[-1] for r in rows[1:]] == ["240.00", "336.00", "576.00"]
    assert rows[2][10] == "2.00"  # overtime hours

    # Issued: a second issue or a regeneration is refused with words, nothing changes.
    again = client.post(f"/staff/invoices/{issued.id}/regenerate")
    assert again.status_code == 200 and "credit note" in again.get_data(as_text=True)


def test_a_credit_note_from_the_form(client: Any, login_as: Any, money: MoneyScene) -> None:
    _two_sheets(money)
    login_as(money.staff)
    issued = _issue_through_pages(client, money)
    ben_line = issued.lines[1]
    form = client.get(f"/staff/invoices/{issued.id}/credit")
    assert form.status_code == 200
    too_much = client.post(
        f"/staff/invoices/{issued.id}/credit",
        data={f"line_{ben_line.id}": "400", "reason": "Overtime was not approved"},
    )
    body = too_much.get_data(as_text=True)
    assert "$336.00" in body and "Overtime was not approved" in body  # message, input kept
    done = client.post(
        f"/staff/invoices/{issued.id}/credit",
        data={f"line_{ben_line.id}": "96.00", "reason": "Overtime was not approved"},
    )
    assert done.status_code == 302
    note = db.session.execute(select(Invoice).where(Invoice.kind == "credit_note")).scalar_one()
    assert note.total == Decimal("-96.00") and note.number.startswith("CN-")


def test_the_clinic_sees_its_issued_invoices_and_no_pay(
    client: Any, login_as: Any, money: MoneyScene, make_user: Any
) -> None:
    _two_sheets(money)
    sheet(money, money.workers[0], local(WEEK + timedelta(days=3), 8), clinic=money.other_clinic)
    invoicing.run_for(WEEK)
    db.session.commit()
    drafts = {i.clinic_id: i for i in db.session.execute(select(Invoice)).scalars()}
    mine, theirs = drafts[money.clinic.id], drafts[money.other_clinic.id]
    login_as(money.member)
    assert client.get(f"/clinic/invoices/{mine.id}").status_code == 404  # a draft is not sent
    invoicing.issue(mine, money.staff)
    invoicing.issue(theirs, money.staff)
    db.session.commit()

    listing = client.get("/clinic/invoices").get_data(as_text=True)
    assert mine.number in listing and theirs.number not in listing
    page = client.get(f"/clinic/invoices/{mine.id}").get_data(as_text=True)
    assert "$576.00" in page and "$32.00" in page
    for pay_figure in ("$150.00", "$210.00", "$20.00", "Pay", "Margin", "$360.00"):
        assert pay_figure not in page, pay_figure
    assert client.get(f"/clinic/invoices/{theirs.id}").status_code == 404
    assert client.get(f"/clinic/invoices/{theirs.id}/export?format=pdf").status_code == 404
    assert client.get(f"/clinic/invoices/{mine.id}/export?format=pdf").data.startswith(b"%PDF")
    clinic_csv = client.get(f"/clinic/invoices/{mine.id}/export?format=csv").text
    assert "150.00" not in clinic_csv and "pay" not in clinic_csv.lower()
    assert client.get("/staff/invoices").status_code == 403
    assert client.get("/staff/payroll").status_code == 403


def test_a_candidate_reaches_no_invoice_or_bill_rate(
    client: Any, login_as: Any, money: MoneyScene
) -> None:
    _two_sheets(money)
    invoice = invoicing.draft(money.clinic, invoicing.period_containing(money.clinic, WEEK))
    invoicing.issue(invoice, money.staff)
    db.session.commit()
    login_as(money.workers[0].user)
    for url in (
        "/clinic/invoices",
        f"/clinic/invoices/{invoice.id}",
        f"/clinic/invoices/{invoice.id}/export?format=pdf",
        f"/staff/invoices/{invoice.id}",
        "/staff/money",
        "/staff/payroll/export",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "32.00" not in response.get_data(as_text=True)


def test_payroll_page_and_csv(client: Any, login_as: Any, money: MoneyScene) -> None:
    _two_sheets(money)
    # Holiday time at 20.00 x 1.5 for Ana, and a sheet still waiting for the clinic (left out).
    sheet(money, money.workers[0], local(WEEK + timedelta(days=4), 8), regular=0, holiday=100)
    sheet(money, money.workers[1], local(WEEK + timedelta(days=5), 8), status="submitted")
    login_as(money.staff)
    page = client.get(f"/staff/payroll?week={WEEK.isoformat()}").get_data(as_text=True)
    assert "$200.00" in page and "$210.00" in page  # Ana 150 + 50; Ben 150 + 60
    body = client.get(f"/staff/payroll/export?week={WEEK.isoformat()}").text
    rows = list(csv.DictReader(io.StringIO(body)))
    got = [
        (r["employee_name"], r["earning_code"], r["hours"], r["rate"], r["amount"]) for r in rows
    ]
    assert got == [
        ("Worker, Ana", "REG", "7.50", "20.00", "150.00"),
        ("Worker, Ana", "HOL", "1.67", "30.00", "50.00"),
        ("Worker, Ben", "REG", "7.50", "20.00", "150.00"),
        ("Worker, Ben", "OT", "2.00", "30.00", "60.00"),
    ]
    assert {r["period_start"] for r in rows} == {"2026-11-01"}
    assert {r["period_end"] for r in rows} == {"2026-11-07"}


def test_money_report_and_its_exports(client: Any, login_as: Any, money: MoneyScene) -> None:
    _two_sheets(money)
    invoice = invoicing.draft(money.clinic, invoicing.period_containing(money.clinic, WEEK))
    invoicing.issue(invoice, money.staff)
    db.session.commit()
    invoicing.credit_note(invoice, {invoice.lines[0].id: Decimal("40")}, "late", money.staff)
    db.session.commit()
    login_as(money.staff)
    page = client.get(f"/staff/money?week={WEEK.isoformat()}").get_data(as_text=True)
    # Revenue 576 - 40 = 536; pay 360; margin 176 (32.8 %); 9.5 + 2 = 17 hours billed.
    assert "$536.00" in page and "$176.00" in page and "32.8%" in page
    assert page.count('<svg class="chart"') == 4
    weeks = list(
        csv.reader(
            io.StringIO(
                client.get(f"/staff/money/weeks/export?format=csv&week={WEEK.isoformat()}").text
            )
        )
    )
    last = weeks[-1]
    assert last[0] == WEEK.isoformat() and last[1:6] == [
        "17.00",
        "536.00",
        "360.00",
        "176.00",
        "32.8",
    ]
    xlsx = client.get(f"/staff/money/clinics/export?format=xlsx&week={WEEK.isoformat()}")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")
    xlsx.close()  # send_file's temporary file
    assert client.get("/staff/money/nope/export").status_code == 404


def test_staff_set_a_clinic_billing_period_and_terms(
    client: Any, login_as: Any, money: MoneyScene
) -> None:
    login_as(money.staff)
    url = f"/staff/clinics/{money.clinic.id}/billing"
    assert client.get(url).status_code == 200
    bad = client.post(url, data={"period": "monthly", "net_days": "400", "bill_to": "AP dept"})
    assert "Enter 0 to 120 days." in bad.get_data(as_text=True) and "AP dept" in bad.get_data(
        as_text=True
    )
    ok = client.post(url, data={"period": "monthly", "net_days": "15", "bill_to": "AP dept"})
    assert ok.status_code == 302
    sheet(money, money.workers[0], local(WEEK + timedelta(days=1), 8))
    invoice = invoicing.draft(money.clinic, invoicing.period_containing(money.clinic, WEEK))
    invoicing.issue(invoice, money.staff)
    db.session.commit()
    assert (invoice.period_start.day, invoice.period_end.day) == (1, 30)  # November
    assert invoice.due_date == invoice.issue_date + timedelta(days=15)
    assert invoice.bill_to == "AP dept"
    assert client.get(f"/staff/clinics/{10**12}/billing").status_code == 404
