"""Names written into LiteLLM and Kubernetes files: DNS-1123 labels, stable, distinct, readable when they
can be."""

from __future__ import annotations

import hashlib
import re

from hypothesis import given
from hypothesis import strategies as st

from llm_tco.plan.export.names import dns_label, is_dns_label

LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def test_a_valid_name_is_kept_as_it_is() -> None:
    assert dns_label("workload-14") == "workload-14"
    assert dns_label("a") == "a"
    assert dns_label("chat", prefix="llm-") == "llm-chat"


def test_an_invalid_name_is_cleaned_and_suffixed_with_its_own_hash() -> None:
    digest = hashlib.sha256(b"Customer Support/EU").hexdigest()[:8]
    assert dns_label("Customer Support/EU") == f"customer-support-eu-{digest}"
    # names that clean to the same text stay apart, and apart from the clean name itself
    names = ["customer-support-eu", "Customer Support/EU", "customer_support.eu", "CUSTOMER SUPPORT EU"]
    labels = [dns_label(n) for n in names]
    assert len(set(labels)) == len(names)
    assert labels[0] == "customer-support-eu"


def test_nothing_usable_left_gives_the_hash_alone() -> None:
    digest = hashlib.sha256("日本語".encode()).hexdigest()[:8]
    assert dns_label("日本語") == digest
    assert dns_label("") == hashlib.sha256(b"").hexdigest()[:8]


def test_long_names_are_cut_to_63_characters() -> None:
    label = dns_label("x" * 200)
    assert len(label) == 63 and label.startswith("x" * 54 + "-")
    assert dns_label("a" * 63) == "a" * 63  # exactly at the limit: valid, kept
    assert len(dns_label("a" * 64)) == 63


def test_service_names_begin_with_a_letter() -> None:
    assert dns_label("9lives", prefix="llm-") == "llm-9lives"
    assert dns_label("-edge-", prefix="llm-").startswith("llm-edge-")


@given(st.text(max_size=120), st.text(max_size=120))
def test_every_label_is_valid_stable_and_distinct(a: str, b: str) -> None:
    for name in (a, b):
        label = dns_label(name)
        assert LABEL.match(label) and len(label) <= 63 and is_dns_label(label)
        assert dns_label(name) == label  # depends on the name alone
        service = dns_label(name, prefix="llm-")
        assert service[0].isalpha() and is_dns_label(service)
    if a != b:
        assert dns_label(a) != dns_label(b)
