"""The four pages every shop starts with, in English and Spanish.

The placeholders (`{legal_name}`, `{address}`, `{tax_number}`, `{contact_email}`,
`{shop_name}`) are filled from the store settings each time a page is shown. Migration 0014
seeds a copy of this text (migrations import no live code).
"""

DEFAULT_PAGES = (
    {
        "slug": "shipping-returns",
        "title_en": "Shipping and returns",
        "body_en": """\
{shop_name} ships to the countries offered at checkout. Shipping costs are shown before you pay.

### Returns
You may return any item within 14 days of delivery without giving a reason. Write to
{contact_email} with your order number: we refund the returned items and the standard shipping
cost within 14 days of receiving them.

### Damaged or wrong items
If something arrives damaged or is not what you ordered, write to {contact_email} and we will
replace or refund it at our cost.

Seller: {legal_name}, {address}. VAT number: {tax_number}.
""",
        "title_es": "Envíos y devoluciones",
        "body_es": """\
{shop_name} envía a los países que se ofrecen al pagar. Los gastos de envío se muestran antes
del pago.

### Devoluciones
Puedes devolver cualquier artículo en los 14 días siguientes a la entrega sin dar ninguna razón.
Escribe a {contact_email} con tu número de pedido: te reembolsamos los artículos devueltos y el
envío estándar en los 14 días siguientes a recibirlos.

### Artículos dañados o equivocados
Si algo llega dañado o no es lo que pediste, escribe a {contact_email} y lo cambiaremos o
reembolsaremos a nuestro cargo.

Vendedor: {legal_name}, {address}. NIF/IVA: {tax_number}.
""",
    },
    {
        "slug": "privacy",
        "title_en": "Privacy policy",
        "body_en": """\
{legal_name} ({shop_name}), {address}, is responsible for the personal data you give us.

### What we keep and why
Your name, email, addresses and orders, to deliver and invoice your orders and to answer your
messages. Invoices are kept as long as tax law requires.

### Who else sees it
Only the payment provider and the carrier, to take your payment and deliver your order.

### Your rights
You may see, download, correct or erase your data: write to {contact_email}.
""",
        "title_es": "Política de privacidad",
        "body_es": """\
{legal_name} ({shop_name}), {address}, es responsable de los datos personales que nos das.

### Qué guardamos y por qué
Tu nombre, correo, direcciones y pedidos, para entregar y facturar tus pedidos y responder a tus
mensajes. Las facturas se conservan el tiempo que exige la ley fiscal.

### Quién más los ve
Solo el proveedor de pagos y el transportista, para cobrar y entregar tu pedido.

### Tus derechos
Puedes consultar, descargar, corregir o suprimir tus datos: escribe a {contact_email}.
""",
    },
    {
        "slug": "terms",
        "title_en": "Terms and conditions",
        "body_en": """\
These terms apply to every order placed at {shop_name}, run by {legal_name}, {address}
(VAT number {tax_number}).

### Orders and prices
Prices include the taxes that apply to your country. The contract is made when we confirm your
order by email.

### Payment
We accept the payment methods shown at checkout.

### Withdrawal
You have 14 days from delivery to withdraw from the contract: see shipping and returns.

### Contact
{contact_email}
""",
        "title_es": "Condiciones de venta",
        "body_es": """\
Estas condiciones se aplican a todos los pedidos hechos en {shop_name}, gestionada por
{legal_name}, {address} (NIF/IVA {tax_number}).

### Pedidos y precios
Los precios incluyen los impuestos de tu país. El contrato se forma cuando confirmamos tu pedido
por correo.

### Pago
Aceptamos los métodos de pago que se muestran al pagar.

### Desistimiento
Tienes 14 días desde la entrega para desistir del contrato: consulta envíos y devoluciones.

### Contacto
{contact_email}
""",
    },
    {
        "slug": "legal",
        "title_en": "Legal notice",
        "body_en": """\
### Owner of this website
{legal_name}

Address: {address}

VAT number: {tax_number}

Email: {contact_email}
""",
        "title_es": "Aviso legal",
        "body_es": """\
### Titular de este sitio web
{legal_name}

Dirección: {address}

NIF/IVA: {tax_number}

Correo: {contact_email}
""",
    },
)
