#!/usr/bin/env python3
"""Seed a freshly initialised Tryton 8.2 database with B2B data for erpfront's adapter tests.

Usage:  python seed.py DATABASE CONFIG_FILE [CONFIG_FILE ...]

Talks to the database directly through proteus' trytond backend (no server running on the same
SQLite file). Reports are switched to PDF before any invoice is posted: a posted invoice keeps
the document rendered at posting time, so `soffice` (LibreOffice) must be on PATH.

What the tests rely on (they look records up by code, never by id):
- company "Acme Wholesale GmbH", currency EUR, 19 % VAT, payment term "Net 30 days";
- price lists "Standard" (list price), "Gold -10%", "Volume tiers" (>= 10: -5 %, >= 100: -20 %);
- customers by party code: C-100 Baeckerei Mueller (Gold), C-200 Nordsee Gastro (Volume tiers,
  two ship-to addresses), C-300 Kaffeehaus Schmidt (Standard);
- 40 salable goods SKU-001..SKU-040 in six catalog categories (codes COFFEE, TEA, CUPS, DAIRY,
  EQUIP, CLEAN); list price of SKU-n = (3 + 2n) euros and (37n mod 100) cents; SKU-900 is not
  salable;
- stock in warehouse WH: 10 * n units of SKU-n, none of every seventh (SKU-007, SKU-014, ...);
- planned receipts from supplier S-900 "Rösterei Import GmbH" for SKU-007 (out of stock): 30 units
  on 1 February and 20 units on 15 January of next year, so that its next date is 15 January;
- carrier "DHL Paket" (party CAR-DHL, with a service product SHIP-DHL that is not salable);
- sales: draft (C-100, PO-D-1), quotation (C-200, PO-Q-1), processing with a posted open invoice
  (C-100, PO-P-1), shipped with a posted open invoice (C-200, PO-S-1: carrier DHL Paket, one
  package per line with the tracking references TRACK-2001 and TRACK-2002), done with a paid
  invoice (C-300, PO-X-1: carrier DHL Paket, no package), cancelled (C-300, PO-C-1);
- document numbers that need encoding in a URL: sales are numbered "VK 00001/Ü", "VK 00002/Ü",
  ...; invoices "INV/<year>/0001", ...
"""
import datetime as dt
import sys
import time
from decimal import Decimal

from proteus import Model, Wizard, config as pconfig

DB, CONFS = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
config = pconfig.set_trytond(database=DB, config_file=CONFS)

Company = Model.get('company.company')
if Company.find([]):
    print('seed: company already exists, nothing to do')
    sys.exit(0)

User = Model.get('res.user')
Party = Model.get('party.party')
Country = Model.get('country.country')
Currency = Model.get('currency.currency')
CurrencyRate = Model.get('currency.currency.rate')

today = dt.date.today()

# --- currency + company ---------------------------------------------------------------------
eur, = Currency.find([('code', '=', 'EUR')]) or [None]
if eur is None:
    eur = Currency(name='Euro', code='EUR', symbol='€', rounding=Decimal('0.01'))
    eur.save()
    CurrencyRate(date=dt.date(2000, 1, 1), rate=Decimal('1'), currency=eur).save()

de = Country(name='Germany', code='DE')
de.save()

company_party = Party(name='Acme Wholesale GmbH', code='ACME')
addr = company_party.addresses[0]  # a new party gets one empty address
addr.street = 'Industriestr. 1'
addr.postal_code = '10115'
addr.city = 'Berlin'
addr.country = de
company_party.save()

company_config = Wizard('company.company.config')
company_config.execute('company')
company_config.form.party = company_party
company_config.form.currency = eur
company_config.execute('add')
company, = Company.find([])
# later records get company=<id> only once the user's context knows the company
config._context = User.get_preferences(True, {})

# --- chart of accounts ------------------------------------------------------------------------
AccountTemplate = Model.get('account.account.template')
ModelData = Model.get('ir.model.data')
Account = Model.get('account.account')
chart_id = ModelData.get_id('account.account_template_root_en', config.context)
create_chart = Wizard('account.create_chart')
create_chart.execute('account')
create_chart.form.account_template = AccountTemplate(chart_id)
create_chart.form.company = company
create_chart.execute('create_account')


def account(kind):
    acc, = Account.find([('type.%s' % kind, '=', True),
        ('company', '=', company.id), ('closed', '!=', True)], limit=1)
    return acc


receivable, payable = account('receivable'), account('payable')
revenue, expense = account('revenue'), account('expense')
tax_account, = Account.find([('company', '=', company.id), ('code', '=', '6.3.6')], limit=1)
cash_account, = Account.find([('company', '=', company.id), ('code', '=', '1.1.1')], limit=1)
create_chart.form.account_receivable = receivable
create_chart.form.account_payable = payable
create_chart.form.category_account_expense = expense
create_chart.form.category_account_revenue = revenue
create_chart.execute('create_properties')

# --- fiscal year (the current one: dates are live) --------------------------------------------
FiscalYear = Model.get('account.fiscalyear')
SequenceStrict = Model.get('ir.sequence.strict')
SequenceType = Model.get('ir.sequence.type')
move_type, = SequenceType.find([('name', '=', 'Account Move')], limit=1)
invoice_type, = SequenceType.find([('name', '=', 'Invoice')], limit=1)
fy = FiscalYear(name=str(today.year), company=company,
    start_date=dt.date(today.year, 1, 1), end_date=dt.date(today.year, 12, 31))
fy.move_sequence = SequenceStrict(name='Moves %s' % today.year,
    sequence_type=move_type, company=company)
fy.move_sequence.save()
inv_seq = SequenceStrict(name='Invoices %s' % today.year,
    sequence_type=invoice_type, company=company, prefix='INV/%s/' % today.year, padding=4)
inv_seq.save()
seq, = fy.invoice_sequences
seq.out_invoice_sequence = inv_seq
seq.in_invoice_sequence = inv_seq
seq.out_credit_note_sequence = inv_seq
seq.in_credit_note_sequence = inv_seq
fy.save()
fy.click('create_period')

# --- tax, payment term, payment method ----------------------------------------------------------
Tax = Model.get('account.tax')
vat = Tax(name='VAT 19%', description='VAT 19%', type='percentage',
    rate=Decimal('0.19'), invoice_account=tax_account, credit_note_account=tax_account)
vat.save()

PaymentTerm = Model.get('account.invoice.payment_term')
net30 = PaymentTerm(name='Net 30 days')
line = net30.lines.new(type='remainder')
line.relativedeltas.new(days=30)
net30.save()

Journal = Model.get('account.journal')
PaymentMethod = Model.get('account.invoice.payment.method')
cash_journal, = Journal.find([('type', '=', 'cash')])
pay_method = PaymentMethod(name='Bank transfer', journal=cash_journal,
    credit_account=cash_account, debit_account=cash_account)
pay_method.save()

# --- reports as PDF, before anything is posted --------------------------------------------------
ActionReport = Model.get('ir.action.report')
for action in ActionReport.find([('report_name', 'in', ['account.invoice', 'sale.sale'])]):
    action.extension = 'pdf'
    action.save()

# --- price lists ----------------------------------------------------------------------------------
PriceList = Model.get('product.price_list')
pl_standard = PriceList(name='Standard', price='list_price')
pl_standard.lines.new(formula='unit_price')
pl_standard.save()
pl_gold = PriceList(name='Gold -10%', price='list_price')
pl_gold.lines.new(formula='unit_price * 0.9')
pl_gold.save()
pl_volume = PriceList(name='Volume tiers', price='list_price')
pl_volume.lines.new(quantity=100, formula='unit_price * 0.8')
pl_volume.lines.new(quantity=10, formula='unit_price * 0.95')
pl_volume.lines.new(formula='unit_price')
pl_volume.save()

# --- customers --------------------------------------------------------------------------------------
customers = {}
for code, name, email, plist, addresses in [
        ('C-100', 'Bäckerei Müller KG', 'baeckerei@example.com', pl_gold,
            [(None, 'Hauptstr. 5', '80331', 'München', True)]),
        ('C-200', 'Nordsee Gastro GmbH', 'nordsee@example.com', pl_volume,
            [(None, 'Hafenweg 12', '20457', 'Hamburg', True),
             ('Nordsee Gastro Filiale Kiel', 'Kaistr. 7', '24103', 'Kiel', False)]),
        ('C-300', 'Kaffeehaus Schmidt', 'kaffeehaus@example.com', pl_standard,
            [(None, 'Marktplatz 3', '50667', 'Köln', True)]),
        ]:
    p = Party(name=name, code=code)
    for i, (party_name, street, zip_, city, invoice) in enumerate(addresses):
        a = p.addresses[0] if i == 0 else p.addresses.new()
        a.party_name = party_name
        a.street, a.postal_code, a.city, a.country = street, zip_, city, de
        a.invoice = invoice
        a.delivery = True
    p.contact_mechanisms.new(type='email', value=email)
    p.sale_price_list = plist
    p.customer_payment_term = net30
    p.save()
    customers[code] = p

# --- products -------------------------------------------------------------------------------------
Uom = Model.get('product.uom')
unit, = Uom.find([('name', '=', 'Unit')])
Category = Model.get('product.category')
acc_cat = Category(name='Goods', accounting=True, account_revenue=revenue,
    account_expense=expense)
acc_cat.customer_taxes.append(Tax(vat.id))
acc_cat.save()
catalog = {}
for code, name in [('COFFEE', 'Coffee'), ('TEA', 'Tea & Cocoa'), ('CUPS', 'Cups & Lids'),
        ('DAIRY', 'Dairy & Syrups'), ('EQUIP', 'Equipment'), ('CLEAN', 'Cleaning')]:
    c = Category(name=name, code=code)
    c.save()
    catalog[code] = c

PRODUCTS = [
    ('COFFEE', 'Espresso beans 1kg'), ('COFFEE', 'Filter coffee 1kg'),
    ('COFFEE', 'Decaf beans 1kg'), ('TEA', 'Green tea 500g'), ('TEA', 'Black tea 500g'),
    ('TEA', 'Cocoa powder 1kg'), ('DAIRY', 'Sugar sticks x500'),
    ('CUPS', 'Paper cups 200ml x1000'), ('CUPS', 'Paper cups 300ml x1000'),
    ('CUPS', 'Lids 80mm x1000'), ('CUPS', 'Stirrers x1000'), ('CUPS', 'Napkins x2000'),
    ('DAIRY', 'Oat milk 1l x12'), ('DAIRY', 'Whole milk 1l x12'), ('DAIRY', 'Caramel syrup 1l'),
    ('DAIRY', 'Vanilla syrup 1l'), ('EQUIP', 'Milk jug 600ml'), ('EQUIP', 'Tamper 58mm'),
    ('CLEAN', 'Descaler 1l'), ('CLEAN', 'Cleaning tablets x100'),
    ('COFFEE', 'Espresso beans organic 1kg'), ('COFFEE', 'Single origin Ethiopia 1kg'),
    ('COFFEE', 'Cold brew blend 1kg'), ('TEA', 'Chai latte powder 1kg'),
    ('TEA', 'Peppermint tea x100'), ('TEA', 'Earl Grey tea x100'),
    ('CUPS', 'Paper cups 400ml x1000'), ('CUPS', 'Lids 90mm x1000'),
    ('CUPS', 'Cup sleeves x1000'), ('CUPS', 'Takeaway carriers x200'),
    ('DAIRY', 'Hazelnut syrup 1l'), ('DAIRY', 'Barista soy milk 1l x12'),
    ('DAIRY', 'Almond milk 1l x12'), ('EQUIP', 'Knock box'), ('EQUIP', 'Milk thermometer'),
    ('EQUIP', 'Grinder brush'), ('CLEAN', 'Milk system cleaner 1l'),
    ('CLEAN', 'Group head brush'), ('CLEAN', 'Microfibre cloths x10'),
    ('EQUIP', 'Barista scale 2kg'),
]
Template = Model.get('product.template')
products = []


def make_product(code, name, category, price, salable=True):
    t = Template(name=name, type='goods', default_uom=unit, salable=salable,
        code=code, account_category=acc_cat, list_price=price)
    if category is not None:
        t.categories.append(Category(category.id))
    if salable:
        t.sale_uom = unit
    t.save()
    p, = t.products
    p.cost_price = (price * Decimal('0.6')).quantize(Decimal('0.0001'))
    p.description = '%s for professional coffee bars.' % name
    p.save()
    return p


for i, (cat, name) in enumerate(PRODUCTS, 1):
    products.append(make_product('SKU-%03d' % i, name, catalog[cat],
        Decimal('%d.%02d' % (3 + i * 2, (i * 37) % 100))))
internal = make_product('SKU-900', 'Euro pallet (internal)', None, Decimal('12.00'),
    salable=False)

# --- stock: an inventory in the warehouse's storage zone -------------------------------------------
Location = Model.get('stock.location')
Inventory = Model.get('stock.inventory')
storage, = Location.find([('code', '=', 'STO')])
inv = Inventory(location=storage, date=today)
for i, p in enumerate(products + [internal]):
    if i % 7 == 6:      # SKU-007, SKU-014, ...: out of stock
        continue
    inv.lines.new(product=p, quantity=float(10 * (i + 1)))
inv.save()
inv.click('confirm')

# --- planned receipts: what availability's next date is read from -------------------------------------
ShipmentIn = Model.get('stock.shipment.in')
supplier = Party(name='Rösterei Import GmbH', code='S-900')
supplier.save()
warehouse, = Location.find([('code', '=', 'WH')])
supplier_location, = Location.find([('code', '=', 'SUP')])
next_year = today.year + 1
# the later receipt first, so that the earliest is not merely the first one entered
for planned, quantity in [(dt.date(next_year, 2, 1), 30), (dt.date(next_year, 1, 15), 20)]:
    receipt = ShipmentIn(supplier=supplier, warehouse=warehouse, planned_date=planned)
    move = receipt.incoming_moves.new()
    move.product = products[6]                      # SKU-007, out of stock
    move.quantity = float(quantity)
    move.unit = unit
    move.from_location = supplier_location
    move.to_location = warehouse.input_location
    move.unit_price = products[6].cost_price
    move.currency = eur
    move.planned_date = planned
    receipt.save()

# --- a carrier, and package types for the shipments --------------------------------------------------
Carrier = Model.get('carrier')
carrier_party = Party(name='DHL Paket', code='CAR-DHL')
carrier_party.save()
carrier_template = Template(name='Parcel service', type='service', default_uom=unit,
    salable=False, code='SHIP-DHL', list_price=Decimal('6.90'))
carrier_template.save()
carrier = Carrier(party=carrier_party, carrier_product=carrier_template.products[0])
carrier.save()
PackageType = Model.get('stock.package.type')
box = PackageType(name='Carton')
box.save()
Package = Model.get('stock.package')
StockMove = Model.get('stock.move')

# --- sales in several states -----------------------------------------------------------------------
Sale = Model.get('sale.sale')


def new_sale(party, lines, reference):
    s = Sale(party=party)
    s.reference = reference
    s.invoice_method = 'order'
    for prod, qty in lines:
        sl = s.lines.new()
        sl.product = prod
        sl.quantity = qty
    s.save()
    return s


def ship(sale, carrier=None, tracking=()):
    """Ships the sale's shipment; with tracking references, one package per outgoing move."""
    shipment, = sale.shipments
    shipment.carrier = carrier
    shipment.save()
    shipment.click('assign_try')
    shipment.click('pick')
    shipment.reload()
    for move, reference in zip(shipment.outgoing_moves, tracking):
        package = Package(shipment=shipment, type=box, shipping_reference=reference)
        package.moves.append(StockMove(move.id))
        package.save()
    shipment.reload()
    shipment.click('pack')      # warns (an error here) when the shipment has no carrier
    shipment.click('do')


def pay(invoice):
    payment = invoice.click('pay')
    payment.form.payment_method = pay_method
    payment.execute('choice')


# Sequence prefixes as a German seller prints them: spaces, slashes and umlauts in the numbers.
SaleConfig = Model.get('sale.configuration')
sale_sequence = SaleConfig(1).sale_sequence
sale_sequence.prefix = 'VK '
sale_sequence.suffix = '/Ü'
sale_sequence.padding = 5
sale_sequence.save()

c100, c200, c300 = customers['C-100'], customers['C-200'], customers['C-300']
draft = new_sale(c100, [(products[0], 5), (products[1], 2)], 'PO-D-1')

quote = new_sale(c200, [(products[2], 12)], 'PO-Q-1')
quote.click('quote')

processing = new_sale(c100, [(products[3], 3), (products[4], 20)], 'PO-P-1')
processing.click('quote')
processing.click('confirm')          # the process task runs inline: shipment + draft invoice
processing.reload()
processing.invoices[0].click('post')

shipped = new_sale(c200, [(products[9], 4), (products[10], 60)], 'PO-S-1')
shipped.click('quote')
shipped.click('confirm')
shipped.reload()
ship(shipped, carrier=carrier, tracking=['TRACK-2001', 'TRACK-2002'])
shipped.invoices[0].click('post')

done = new_sale(c300, [(products[5], 1), (products[8], 2)], 'PO-X-1')
done.click('quote')
done.click('confirm')
done.reload()
ship(done, carrier=carrier)
inv_done = done.invoices[0]
inv_done.click('post')
pay(inv_done)

cancelled = new_sale(c300, [(products[11], 3)], 'PO-C-1')
cancelled.click('cancel')

for s in (draft, quote, processing, shipped, done, cancelled):
    s.reload()
    print('seed: sale', s.number, s.party.code, s.reference, s.state, s.invoice_state,
        s.shipment_state, s.total_amount)
print('seed: done in %.1fs' % (time.monotonic() - t0))
