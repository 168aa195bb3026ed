"""A labelled corpus of payment messages in English, French and Arabic, with near-misses.

Written apart from ``forensic_kit.money``: it shares none of its patterns. Every message is built
from a template whose truth is known by construction: the transaction (amount, currency,
direction, reference) and the identifiers (IBAN, card, MTCN, MoneyGram reference, BTC/ETH/TRON)
it holds. Check digits are computed here from their specifications (ISO 7064 mod 97-10 for IBAN,
Luhn for cards, Base58Check and EIP-55 for addresses), not with the extractor's code.

Message shapes: M-Pesa and Orange Money (RDC) follow public sample messages (pesaPi's
``mpesa_private_examples.txt``, sms-parser-node-server's ``sms_models.js``); the Arabic and
French shapes of Vodafone Cash, e& money, InstaPay, inwi money, Flouci, D17, Western Union and
MoneyGram are assumed (no public sample found): see docs/network.md.
"""

from __future__ import annotations

import hashlib
import random
import string
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from Crypto.Hash import keccak

ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"


@dataclass
class Labelled:
    """One message and what it truly holds."""

    text: str
    lang: str
    family: str
    transaction: dict[str, Any] | None = None
    identifiers: list[tuple[str, str]] = field(default_factory=list)


# --- check digits, from the specifications ---------------------------------------------------

def iban(rng: random.Random, country: str, bban_len: int, valid: bool = True) -> str:
    bban = "".join(rng.choice(string.digits) for _ in range(bban_len))
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(digits) % 97
    if not valid:
        check = (check + rng.randrange(1, 96)) % 97 or 1
        if check == 98 - int(digits) % 97:
            check += 1
    return f"{country}{check:02d}{bban}"


def grouped(s: str) -> str:
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return body + str((10 - total % 10) % 10)


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58check(version: int, payload: bytes) -> str:
    data = bytes([version]) + payload
    data += hashlib.sha256(hashlib.sha256(data).digest()).digest()[:4]
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


_BECH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values: list[int]) -> int:
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (b >> i) & 1 else 0
    return chk


def segwit_v0(program: bytes) -> str:
    acc, bits, data = 0, 0, [0]
    for b in program:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    hrp = [ord(c) >> 5 for c in "bc"] + [0] + [ord(c) & 31 for c in "bc"]
    pm = _polymod(hrp + data + [0] * 6) ^ 1
    return "bc1" + "".join(_BECH[d] for d in data + [(pm >> 5 * (5 - i)) & 31 for i in range(6)])


def eth_checksummed(raw: bytes) -> str:
    h = raw.hex()
    k = keccak.new(digest_bits=256)
    k.update(h.encode())
    d = k.hexdigest()
    return "0x" + "".join(c.upper() if c in "abcdef" and int(d[i], 16) >= 8 else c for i, c in enumerate(h))


def broken(s: str, rng: random.Random, alphabet: str) -> str:
    i = rng.randrange(len(s) - 6, len(s))
    c = rng.choice([a for a in alphabet if a != s[i]])
    return s[:i] + c + s[i + 1:]


# --- message families -------------------------------------------------------------------------

NAMES_EN = ["JOHN DOE", "MARY WANJIRU", "ALEX NDUNGU", "BRIAN NGANGA", "GRACE AKINYI", "PETER OTIENO"]
NAMES_FR = ["BOB DITEND", "ALBERT OMBA", "MARIE KABILA", "JEAN MUKENDI", "AMINATA DIALLO"]
NAMES_AR = ["محمد علي", "أحمد حسن", "سارة محمود", "خالد المصراتي", "فاطمة الزهراء", "يوسف كريم"]


def _amount(rng: random.Random, lo: int = 10, hi: int = 50000) -> Decimal:
    whole = rng.randrange(lo, hi)
    cents = rng.choice([0, 0, 0, 50, 25, rng.randrange(100)])
    return Decimal(whole) + Decimal(cents) / 100


def _en(v: Decimal) -> str:
    return f"{v:,.2f}"


def _fr(v: Decimal, decimals: int = 2) -> str:
    s = f"{v:,.{decimals}f}".replace(",", " ").replace(".", ",")
    return s


def _ar(v: Decimal, arabic_digits: bool) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".") if v != v.to_integral() else str(int(v))
    return s.translate(str.maketrans("0123456789", ARABIC_DIGITS)) if arabic_digits else s


def _phone(rng: random.Random, cc: str, n: int) -> str:
    return cc + "".join(rng.choice(string.digits) for _ in range(n))


def _ref(rng: random.Random, n: int = 10) -> str:
    return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(n))


def _tx(amount: Decimal, currency: str, direction: str, reference: str | None) -> dict[str, Any]:
    return {"amount": amount, "currency": currency, "direction": direction, "reference": reference}


def mpesa(rng: random.Random) -> Labelled:
    ref = rng.choice(string.ascii_uppercase) + _ref(rng, 9)
    v, bal = _amount(rng), _amount(rng)
    name, ph = rng.choice(NAMES_EN), _phone(rng, "2547", 8)
    when = f"{rng.randrange(1, 29)}/{rng.randrange(1, 13)}/{rng.choice(['24', '25', '2025'])} at {rng.randrange(1, 13)}:{rng.randrange(60):02d} {rng.choice(['AM', 'PM'])}"
    k = rng.randrange(4)
    if k == 0:
        t = f"{ref} Confirmed. Ksh{_en(v)} sent to {name} {ph} on {when}. New M-PESA balance is Ksh{_en(bal)}. Transaction cost, Ksh{rng.choice(['0.00', '13.00', '28.00'])}."
        return Labelled(t, "en", "mpesa", _tx(v, "KES", "out", ref))
    if k == 1:
        t = f"{ref} Confirmed.\nYou have received Ksh{_en(v)} from\n{name} {ph}\non {when}\nNew M-PESA balance is Ksh{_en(bal)}.{rng.choice(['', 'Save & get a loan on Mshwari', 'PIN YAKO SIRI YAKO'])}"
        return Labelled(t, "en", "mpesa", _tx(v, "KES", "in", ref))
    if k == 2:
        t = f"{ref} Confirmed. Ksh{_en(v)} paid to {rng.choice(['CAFE MOCHA', 'SUPERMARKET LTD', 'KPLC PREPAID'])} on {when}. New M-PESA balance is Ksh{_en(bal)}."
        return Labelled(t, "en", "mpesa", _tx(v, "KES", "out", ref))
    t = f"{ref} Confirmed. on {when} Withdraw Ksh{_en(v)} from {rng.randrange(100000, 999999)} - {name} New M-PESA balance is Ksh{_en(bal)}. Transaction cost, Ksh{rng.choice(['29.00', '33.00'])}."
    return Labelled(t, "en", "mpesa", _tx(v, "KES", "out", ref))


def orange_rdc(rng: random.Random) -> Labelled:
    ref = f"{rng.choice(['CI', 'CO'])}{rng.randrange(200101, 251231)}.{rng.randrange(1000, 2359)}.{rng.choice('ABCD')}{rng.randrange(10000, 99999)}"
    cur = rng.choice(["USD", "CDF"])
    v, bal = _amount(rng, 1, 9000), _amount(rng, 1, 9000)
    ph, name = _phone(rng, "99", 7), rng.choice(NAMES_FR)
    if rng.random() < 0.5:
        t = f"Trans. ID: {ref} vous avez envoye de {v:.4f} {cur} a  {ph}.Votre solde disponible est de {bal:.4f}{cur}.Cout:0.0000{cur}"
        return Labelled(t, "fr", "orange", _tx(v, cur, "out", ref))
    t = f"Trans. ID: {ref}. Vous avez recu {v:.4f} {cur}. Venant de {ph} {name}. Votre solde disponible est de:  {bal:.4f} {cur}."
    return Labelled(t, "fr", "orange", _tx(v, cur, "in", ref))


def orange_fr(rng: random.Random) -> Labelled:
    ref = f"{rng.choice(['PP', 'CI', 'MP'])}{rng.randrange(100000, 999999)}.{rng.randrange(1000, 9999)}.{rng.choice('ABCDEFGH')}{rng.randrange(10000, 99999)}"
    cur, tok = rng.choice([("XOF", "FCFA"), ("MAD", "DH"), ("XOF", "F CFA")])
    v, bal = Decimal(rng.randrange(500, 500000)), Decimal(rng.randrange(500, 900000))
    ph = _phone(rng, rng.choice(["77", "06", "07"]), 7)
    if rng.random() < 0.5:
        t = f"Orange Money: Transfert de {_fr(v, 0)} {tok} vers le {ph} effectué. ID transaction: {ref}. Nouveau solde: {_fr(bal, 0)} {tok}."
        return Labelled(t, "fr", "orange", _tx(v, cur, "out", ref))
    t = f"Orange Money: Vous avez reçu {_fr(v, 0)} {tok} du {ph}. Réf: {ref}. Votre nouveau solde est de {_fr(bal, 0)} {tok}."
    return Labelled(t, "fr", "orange", _tx(v, cur, "in", ref))


def egypt_wallet(rng: random.Random) -> Labelled:
    op = rng.choice(["فودافون كاش", "Vodafone Cash", "اتصالات كاش", "e& money", "InstaPay", "انستاباي"])
    ad = rng.random() < 0.3
    v, bal = Decimal(rng.randrange(5, 30000)), Decimal(rng.randrange(5, 60000))
    ref = str(rng.randrange(10**8, 10**12))
    ph = "01" + rng.choice("0125") + "".join(rng.choice(string.digits) for _ in range(8))
    cur_tok = rng.choice(["جنيه", "ج.م", "EGP"])
    k = rng.randrange(3)
    if k == 0:
        t = f"تم تحويل مبلغ {_ar(v, ad)} {cur_tok} إلى رقم {ph} بنجاح. رقم العملية {ref}. رصيدك الحالي {_ar(bal, ad)} {cur_tok}. {op}"
        return Labelled(t, "ar", "egypt", _tx(v, "EGP", "out", ref))
    if k == 1:
        t = f"تم استلام مبلغ {_ar(v, ad)} {cur_tok} من {rng.choice(NAMES_AR)} {ph}. رقم العملية: {ref}. رصيدك الحالي هو {_ar(bal, ad)} {cur_tok}. {op}"
        return Labelled(t, "ar", "egypt", _tx(v, "EGP", "in", ref))
    t = f"{op}: You have transferred EGP {v:.2f} to {ph}. Reference: {ref}. Your new balance is EGP {bal:.2f}"
    return Labelled(t, "en", "egypt", _tx(v, "EGP", "out", ref))


def morocco_tunisia(rng: random.Random) -> Labelled:
    family = rng.choice(["inwi", "flouci", "d17"])
    v, bal = Decimal(rng.randrange(10, 20000)), Decimal(rng.randrange(10, 40000))
    ref = _ref(rng, rng.randrange(8, 13))
    if family == "inwi":
        ph = "06" + "".join(rng.choice(string.digits) for _ in range(8))
        if rng.random() < 0.5:
            t = f"inwi money: Vous avez envoyé {v} DH à {ph}. Réf: {ref}. Solde: {bal} DH."
            return Labelled(t, "fr", "inwi", _tx(v, "MAD", "out", ref))
        t = f"inwi money: لقد استلمت {v} درهم من {ph}. المرجع: {ref}. رصيدك: {bal} درهم."
        return Labelled(t, "ar", "inwi", _tx(v, "MAD", "in", ref))
    v3 = Decimal(rng.randrange(1000, 2000000)) / 1000  # dinars with millimes
    tok = rng.choice(["DT", "TND"])
    name = "Flouci" if family == "flouci" else "D17"
    k = rng.randrange(3)
    if k == 0:
        t = f"{name}: Vous avez reçu {v3:.3f} {tok} de {rng.choice(NAMES_FR).title()}. Référence: {ref}."
        return Labelled(t, "fr", family, _tx(v3, "TND", "in", ref))
    if k == 1:
        t = f"{name}: You have sent {v3:.3f} {tok} to {rng.choice(NAMES_EN).title()}. Ref {ref}"
        return Labelled(t, "en", family, _tx(v3, "TND", "out", ref))
    t = f"{name}: تم تحويل {v3:.3f} د.ت إلى {rng.choice(NAMES_AR)}. مرجع العملية {ref}"
    return Labelled(t, "ar", family, _tx(v3, "TND", "out", ref))


def remittance(rng: random.Random) -> Labelled:
    mtcn = "".join(rng.choice(string.digits) for _ in range(10))
    mg = "".join(rng.choice(string.digits) for _ in range(8))
    lang = rng.choice(["en", "fr", "ar"])
    v = Decimal(rng.randrange(50, 3000))
    shown = rng.choice([mtcn, f"{mtcn[:3]}-{mtcn[3:6]}-{mtcn[6:]}"])
    if rng.random() < 0.5:
        t = {"en": f"Western Union: your transfer of {v} EUR is ready for pickup. MTCN: {shown}. Receiver: {rng.choice(NAMES_EN).title()}",
             "fr": f"Voici le code MTCN {shown} pour les {v} euros, retrait chez Western Union demain",
             "ar": f"ويسترن يونيون رقم الحوالة {shown} المبلغ {v} دولار باسم {rng.choice(NAMES_AR)}"}[lang]
        return Labelled(t, lang, "wu", None, [("mtcn", mtcn)])
    t = {"en": f"MoneyGram reference number: {mg}. Amount {v} USD. Show ID at pickup.",
         "fr": f"MoneyGram: numéro de référence {mg}, montant {v} EUR",
         "ar": f"موني جرام رقم المرجع {mg} المبلغ {v} دولار"}[lang]
    return Labelled(t, lang, "moneygram", None, [("moneygram_ref", mg)])


def bank_ids(rng: random.Random) -> Labelled:
    country, n = rng.choice([("TN", 20), ("EG", 25), ("MA", 24), ("FR", 23), ("DE", 18), ("LY", 21)])
    if country in ("FR", "MA"):
        code = iban(rng, country, n)
    else:
        code = iban(rng, country, n)
    shown = rng.choice([code, grouped(code)])
    card = luhn_complete(rng.choice(["4", "51", "55", "2221"]), 16, rng)
    lang = rng.choice(["en", "fr", "ar"])
    k = rng.randrange(3)
    if k == 0:
        t = {"en": f"Please send it to my account IBAN {shown} before Friday",
             "fr": f"Mon RIB/IBAN: {shown} merci",
             "ar": f"هذا رقم الحساب IBAN {shown} حوّل عليه"}[lang]
        return Labelled(t, lang, "iban", None, [("iban", code)])
    if k == 1:
        masked = card[:6] + "*" * 6 + card[-4:]
        t = {"en": f"card number {grouped(card)} exp {rng.randrange(1, 13):02d}/{rng.randrange(26, 31)}",
             "fr": f"carte visa {grouped(card)} code au dos",
             "ar": f"رقم البطاقة {grouped(card)}"}[lang]
        return Labelled(t, lang, "card", None, [("card", masked)])
    last4 = "".join(rng.choice(string.digits) for _ in range(4))
    t = {"en": f"Your card ending ****{last4} was charged {v_str(rng)} USD at AMAZON",
         "fr": f"Paiement par carte ****{last4} accepté chez CARREFOUR",
         "ar": f"تمت عملية شراء ببطاقتك ****{last4}"}[lang]
    return Labelled(t, lang, "card_masked", None, [("card_masked", f"****{last4}")])


def v_str(rng: random.Random) -> str:
    return f"{rng.randrange(5, 500)}.{rng.randrange(100):02d}"


def crypto_ids(rng: random.Random) -> Labelled:
    k = rng.randrange(4)
    payload = bytes(rng.randrange(256) for _ in range(20))
    if k == 0:
        addr, typ = b58check(rng.choice([0, 5]), payload), "btc"
    elif k == 1:
        addr, typ = segwit_v0(payload), "btc"
    elif k == 2:
        addr, typ = eth_checksummed(payload), "eth"
    else:
        addr, typ = b58check(0x41, payload), "tron"
    lang = rng.choice(["en", "fr", "ar"])
    t = {"en": f"send the USDT to {addr} asap", "fr": f"envoie sur cette adresse {addr} stp",
         "ar": f"ارسل على المحفظة {addr} بسرعة"}[lang]
    return Labelled(t, lang, typ, None, [(typ, addr)])


def near_miss(rng: random.Random) -> Labelled:
    lang = rng.choice(["en", "fr", "ar"])
    k = rng.randrange(12)
    ph = "0" + "".join(rng.choice(string.digits) for _ in range(9))
    order = luhn_complete("4", 16, rng)
    if k == 0:
        t = {"en": f"call me on {ph} tomorrow at 10", "fr": f"appelle-moi au {ph} le 12/03 à 15h",
             "ar": f"اتصل بي على {ph} غدا"}[lang]
    elif k == 1:
        t = {"en": f"order #{order} shipped, track it online", "fr": f"commande n° {order} expédiée",
             "ar": f"تم شحن الطلب رقم {order}"}[lang]
    elif k == 2:
        t = {"en": f"Your verification code is {rng.randrange(100000, 999999)}. Do not share it.",
             "fr": f"Votre code de confirmation est {rng.randrange(100000, 999999)}",
             "ar": f"رمز التحقق الخاص بك هو {rng.randrange(100000, 999999)}"}[lang]
    elif k == 3:
        t = {"en": f"Promo! Recharge 50 EGP and get {rng.randrange(2, 20)} GB free until 30/04",
             "fr": f"Promo: rechargez 20 DH et recevez {rng.randrange(2, 20)} Go jusqu'au 30/04",
             "ar": f"عرض خاص: اشحن 20 جنيه واحصل على {rng.randrange(2, 20)} جيجا"}[lang]
    elif k == 4:
        t = {"en": f"I will send you 500 dollars next week, call {ph}", "fr": "je vais t'envoyer 200 euros demain",
             "ar": "سأرسل لك 500 جنيه غدا إن شاء الله"}[lang]
    elif k == 5:
        bad = iban(rng, rng.choice(["TN", "FR", "EG"]), {"TN": 20, "FR": 23, "EG": 25}[rng.choice(["TN"])], valid=False)
        t = {"en": f"account {bad}", "fr": f"IBAN {bad}", "ar": f"الحساب {bad}"}[lang]
    elif k == 6:
        addr = broken(b58check(rng.choice([0, 5, 0x41]), bytes(rng.randrange(256) for _ in range(20))), rng, _B58)
        t = {"en": f"wallet {addr}", "fr": f"adresse {addr}", "ar": f"المحفظة {addr}"}[lang]
    elif k == 7:
        good = eth_checksummed(bytes(rng.randrange(256) for _ in range(20)))
        i = next(j for j in range(len(good) - 1, 1, -1) if good[j].isalpha())
        bad = good[:i] + good[i].swapcase() + good[i + 1:]
        t = {"en": f"eth {bad}", "fr": f"mon adresse eth {bad}", "ar": f"عنوان {bad}"}[lang]
    elif k == 8:
        t = {"en": f"Western Union is closed today, call {ph}", "fr": f"Le bureau Western Union ouvre à 9h, tel {ph}",
             "ar": f"مكتب ويسترن يونيون مغلق اليوم اتصل {ph}"}[lang]
    elif k == 9:
        t = {"en": f"meeting on {rng.randrange(1, 28)}/{rng.randrange(1, 12)}/2025 room {rng.randrange(1, 400)}",
             "fr": f"rendez-vous le {rng.randrange(1, 28)}/{rng.randrange(1, 12)}/2025 à {rng.randrange(8, 20)}h30",
             "ar": f"الموعد يوم {rng.randrange(1, 28)}/{rng.randrange(1, 12)}/2025 الساعة {rng.randrange(1, 12)}"}[lang]
    elif k == 10:
        t = {"en": f"the boat costs 5000 euros, how many people? {rng.randrange(10, 60)}",
             "fr": f"le prix est de {rng.randrange(500, 3000)} euros par personne",
             "ar": f"السعر {rng.randrange(500, 3000)} يورو للشخص"}[lang]
    else:
        t = {"en": f"Invoice {rng.randrange(10**7, 10**8)} due on {rng.randrange(1, 28)}/05, total 120 USD",
             "fr": f"Facture {rng.randrange(10**7, 10**8)} à régler avant le {rng.randrange(1, 28)}/05",
             "ar": f"فاتورة رقم {rng.randrange(10**7, 10**8)} مستحقة"}[lang]
    return Labelled(t, lang, "near_miss")


FAMILIES = ((mpesa, 3), (orange_rdc, 2), (orange_fr, 2), (egypt_wallet, 4), (morocco_tunisia, 3),
            (remittance, 2), (bank_ids, 3), (crypto_ids, 3), (near_miss, 6))


def corpus(n: int = 2400, seed: int = 20) -> list[Labelled]:
    """``n`` labelled messages, families in fixed proportions, reproducible from ``seed``."""
    rng = random.Random(seed)
    weighted = [f for f, w in FAMILIES for _ in range(w)]
    return [rng.choice(weighted)(rng) for _ in range(n)]
