"""Pruning compares register ids through one consistent map (check_ids), also for registers the
two states share unchanged."""

from __future__ import annotations

from verifier.abstract.compare import IdMap, regsafe
from verifier.abstract.regs import PTR_TO_PACKET, SCALAR, Reg
from verifier.abstract.scalar import Scalar


def _pkt(id_: int) -> Reg:
    return Reg(PTR_TO_PACKET, Scalar.const(0), off=1, id=id_)


def test_shared_register_still_maps_its_id():
    old_r2, old_r3 = _pkt(4), _pkt(4)  # the old state: r2 and r3 are one pointer
    cur_r2 = _pkt(3)  # the current state: r2 is another pointer, r3 the very same object
    idmap = IdMap()
    assert regsafe(old_r2, cur_r2, idmap)
    assert not regsafe(old_r3, old_r3, idmap)  # id 4 already maps to 3


def test_consistent_ids_are_safe():
    a, b = _pkt(4), _pkt(4)
    idmap = IdMap()
    assert regsafe(a, _pkt(7), idmap) and regsafe(b, _pkt(7), idmap)


def test_id_against_no_id():
    assert not IdMap().check(3, 0) and not IdMap().check(0, 3) and IdMap().check(0, 0)
    # an unlinked scalar counts as an id of its own
    idmap = IdMap()
    assert idmap.check_scalar(0, 5) and not idmap.check_scalar(2, 5)


def test_imprecise_scalar_ignores_ids():
    r = Reg(SCALAR, Scalar.const(1), id=9)
    assert regsafe(r, r, IdMap(), precise=False)
