"""The customer's address book: add, edit, delete, and choose the default address.

Another customer's address id is a 404 and changes nothing (store.accounts.addresses looks
every address up with its owner).
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_security import auth_required

from store.accounts import addresses as address_book
from store.errors import NotFound, StoreError
from store.storefront.account import me
from store.storefront.account_forms import AddressForm
from store.storefront.blueprint import bp
from store.storefront.cart import form_error
from store.storefront.forms import ActionForm


def _back():
    return redirect(url_for("storefront.account", _anchor="addresses"), 303)


def _mine(address_id):
    try:
        return address_book.find_address(me().id, address_id)
    except NotFound:
        abort(404)


def _render(form, address=None, status=200):
    return render_template("storefront/address_form.html", form=form, address=address), status


def _save(form, address=None):
    """Validate and save the form; the page again with the errors if it is refused."""
    if not form.validate():
        return _render(form, address, 400)
    try:
        if address is None:
            address_book.add_address(me(), form.values(), make_default=form.is_default.data)
        else:
            address_book.update_address(me(), address.id, form.values(),
                                        make_default=form.is_default.data)
    except NotFound:
        abort(404)
    except StoreError as exc:
        field = exc.details.get("field")
        if field and field in form:
            form[field].errors = [exc.message]
        else:
            flash(exc.message, "error")
        return _render(form, address, 400)
    flash(_("The address is saved."), "success")
    return _back()


@bp.route("/account/addresses/new", methods=["GET", "POST"])
@auth_required()
def address_new():
    """GET: an empty address form. POST: save a new address."""
    form = AddressForm()
    if form.is_submitted():
        return _save(form)
    form.full_name.data = me().full_name or ""
    return _render(form)


@bp.route("/account/addresses/<int:address_id>/edit", methods=["GET", "POST"])
@auth_required()
def address_edit(address_id):
    """GET: one of the customer's addresses in a form. POST: save the changes."""
    address = _mine(address_id)
    form = AddressForm(obj=address)
    if form.is_submitted():
        return _save(form, address)
    return _render(form, address)


@bp.post("/account/addresses/<int:address_id>/delete")
@auth_required()
def address_delete(address_id):
    """Delete one of the customer's addresses (orders keep the address they were sent to)."""
    _mine(address_id)
    form = ActionForm()
    if not form.validate():
        flash(form_error(form), "error")
        return _back()
    address_book.delete_address(me(), address_id)
    flash(_("The address is deleted."), "success")
    return _back()


@bp.post("/account/addresses/<int:address_id>/default")
@auth_required()
def address_default(address_id):
    """Make one of the customer's addresses the one checkout preselects."""
    _mine(address_id)
    form = ActionForm()
    if not form.validate():
        flash(form_error(form), "error")
        return _back()
    address_book.set_default(me(), address_id)
    flash(_("Checkout will now suggest this address first."), "success")
    return _back()
