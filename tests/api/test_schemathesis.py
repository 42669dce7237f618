"""schemathesis against the served OpenAPI document: every operation, valid and invalid input,
as a visitor, a customer and a member of staff: no 5xx, every response as the spec says."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import headers
from tests.factories import make_category, make_order, make_product

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 25  # per operation, mode and caller: about 1,200 requests in well under a minute


def run_operation(operation, mode, sent_headers) -> int:
    calls = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(headers=sent_headers, checks=CHECKS)
        calls.append(1)

    try:
        check()
    except Unsatisfiable:
        # No input to make invalid (e.g. GET /api/v1/cart): only valid requests exist.
        assert mode == GenerationMode.NEGATIVE
    return len(calls)


def test_every_operation_conforms_to_the_spec(app, auth, token_for):
    """Generated requests for every operation in both modes: no 5xx, and responses match."""
    books = make_category(slug="books", name="Books")
    product = make_product(category=books, variants=[
        {"sku": "S-1", "options": {"size": "S"}, "stock": 5},
        {"sku": "S-2", "options": {"size": "M"}, "stock": 1}])
    customer = auth.user("customer")
    make_order(items=[(product.variants[0], 1)], user=customer, status="paid")
    callers = [{}, headers(token_for("customer")), headers(token_for("owner"))]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 10
    runs = {mode: 0 for mode in GenerationMode}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for sent in callers:
                runs[mode] += run_operation(operation, mode, sent)
    assert runs[GenerationMode.POSITIVE] >= len(operations) * len(callers)
    assert runs[GenerationMode.NEGATIVE] >= 7 * len(callers)  # every operation with input
