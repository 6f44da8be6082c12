"""TLS trust: which CAs are trusted (a bundle from Settings or the environment; verification is never
turned off) and certificate failures told in words.

An untrusted, mismatched or expired certificate each gets its own line, saying how to fix the trust
(a company's CA in Settings or REQUESTS_CA_BUNDLE/SSL_CERT_FILE) instead of "could not be reached".
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from urllib.parse import urlsplit

from hfgui.core.errors import HfGuiError, NetworkError
from hfgui.core.wire.causes import find_cause

# requests reads the first two itself in system mode; SSL_CERT_FILE is OpenSSL's and requests ignores it.
# All three are honoured in every proxy mode: they say whom to trust, not how to reach the network.
CA_BUNDLE_ENV = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")


# --- whom to trust -------------------------------------------------------------------------------


def check_ca_bundle(path: str) -> str:
    """The usable absolute path of a PEM bundle (a file, or an OpenSSL hashed directory), else HfGuiError."""
    resolved = Path(path).expanduser()
    if resolved.is_dir():
        return str(resolved)
    if not resolved.is_file():
        raise HfGuiError(
            f"The CA bundle {resolved} does not exist.",
            "Choose an existing PEM certificate file in Settings (Network), or clear the CA bundle setting.",
        )
    try:
        with open(resolved, "rb") as handle:
            head = handle.read(1_000_000)
    except OSError as exc:
        raise HfGuiError(
            f"The CA bundle {resolved} cannot be read ({exc.strerror or exc}).",
            "Check its permissions, or choose another PEM file in Settings (Network).",
        ) from None
    if b"-----BEGIN CERTIFICATE-----" not in head:
        raise HfGuiError(
            f"The CA bundle {resolved} holds no PEM certificate.",
            "Export the certificate as PEM (Base64, -----BEGIN CERTIFICATE-----) and choose that file.",
        )
    return str(resolved)


def ca_from_environment() -> str | bool:
    """The first CA bundle the environment names that exists, else True (the default CAs)."""
    for name in CA_BUNDLE_ENV:
        value = os.environ.get(name, "").strip()
        if value and os.path.exists(value):
            return value
    return True


def tls_off_error() -> HfGuiError:
    return HfGuiError(
        "TLS certificate verification cannot be turned off in hfgui.",
        "If your network inspects TLS, add its CA certificate as the CA bundle in Settings (Network).",
    )


# --- certificate failures ------------------------------------------------------------------------

# OpenSSL verify codes (X509_V_ERR_*).
_EXPIRED = frozenset({10})  # CERT_HAS_EXPIRED
_NOT_YET_VALID = frozenset({9})
_UNTRUSTED = frozenset({2, 18, 19, 20, 21, 27, 28})  # unknown issuer, self-signed, untrusted, rejected
_NAME_MISMATCH = frozenset({62, 64})  # HOSTNAME_MISMATCH, IP_ADDRESS_MISMATCH

UNTRUSTED = "untrusted"
NAME_MISMATCH = "name-mismatch"
EXPIRED = "expired"


class CertificateError(NetworkError):
    """The server's certificate failed verification; `kind` is untrusted, name-mismatch or expired.

    A NetworkError (the host cannot be used), worded for what is wrong with its certificate.
    """

    def __init__(self, host: str, kind: str, detail: str = "") -> None:
        self.host = host
        self.kind = kind
        self.endpoint = host
        self.detail = f"TLS certificate {kind}"
        self.timed_out = False
        if kind == NAME_MISMATCH:
            message = f"The certificate of {host} is for another host name{_paren(detail)}."
            hint = (
                "Check the address (HF_ENDPOINT or the mirror in Settings); a proxy that intercepts TLS"
                " must present a certificate for this host."
            )
        elif kind == EXPIRED:
            message = f"The certificate of {host} has expired or is not valid yet{_paren(detail)}."
            hint = (
                "Check this computer's date and time; if they are right, the server must renew"
                " its certificate."
            )
        else:
            message = (
                f"The certificate of {host} is not trusted (self-signed or an unknown CA; a company proxy?)."
            )
            hint = "Add its CA in Settings → Network, or set REQUESTS_CA_BUNDLE/SSL_CERT_FILE."
        HfGuiError.__init__(self, message, hint)


def _paren(detail: str) -> str:
    return f" ({detail})" if detail else ""


def certificate_error(exc: BaseException, url: str) -> CertificateError | None:
    """The CertificateError behind a failed request, or None when it was not a certificate problem."""
    cause = find_cause(exc, ssl.SSLCertVerificationError)
    if not isinstance(cause, ssl.SSLCertVerificationError):
        return None
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2] or url
    code = getattr(cause, "verify_code", None)
    text = str(getattr(cause, "verify_message", "") or cause)
    lowered = text.lower()
    if code in _NAME_MISMATCH or "mismatch" in lowered:
        return CertificateError(host, NAME_MISMATCH, text if "mismatch" in lowered else "")
    if code in _EXPIRED or code in _NOT_YET_VALID or "expired" in lowered:
        return CertificateError(host, EXPIRED, "")
    if code in _UNTRUSTED or "self-signed" in lowered or "issuer" in lowered:
        return CertificateError(host, UNTRUSTED)
    return CertificateError(host, UNTRUSTED)
