"""The storefront's blueprint, which every route module registers its views on."""

from flask import Blueprint

bp = Blueprint("storefront", __name__)
