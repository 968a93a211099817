"""The MixD+V bilayer on a width-2 cylinder for TeNPy (issue 24 item 5; exploratory).

Four legs: sites (x, y, layer) with x = 0 ... L_x - 1 along the cylinder, y = 0, 1 around
it and layer 0, 1.  The terms are those of the ladder model
:func:`nickelates.mixd_exact.MixDLadderModel` (the paper's Eq. (1)): on every rung (x, y)
the inter-layer exchange J_perp (S.S - n n / 4) and the rung repulsion V n^h n^h; inside
each layer projected hopping -t_par along x and around the cylinder.  With width 2 the
bond (y = 0, y = 1) and its periodic image join the same pair of sites; ``y_bonds``
counts them (2: periodic cylinder, amplitude 2 t_par; 1: an open 2-leg strip per layer;
0: two decoupled ladders, the test limit).  Conserved: the electron number of each layer
and 2S^z (sites: :class:`tenpy.networks.site.SpinHalfHoleSite`, MPS order x-major,
then y, then layer: site 4x + 2y + layer).

Energies in units of V.
"""
from __future__ import annotations

from . import _validate as check

__all__ = ["MixDCylinderModel", "CYLINDER_MAX_LX"]

#: Longest cylinder accepted (rungs along x).
CYLINDER_MAX_LX = 200


def _model_class():
    from tenpy.models.lattice import Lattice
    from tenpy.models.model import CouplingMPOModel
    from tenpy.networks.site import SpinHalfHoleSite, set_common_charges

    class _MixDCylinderModel(CouplingMPOModel):
        def init_sites(self, model_params):
            sites = [SpinHalfHoleSite(cons_N="N", cons_Sz="Sz") for _ in range(4)]
            set_common_charges(
                sites,
                new_charges=[[(1, 0, "N"), (1, 2, "N")], [(1, 1, "N"), (1, 3, "N")],
                             [(1, i, "2*Sz") for i in range(4)]],
                new_names=["N_layer0", "N_layer1", "2*Sz"],
            )
            for s in sites:
                s.add_op("Nh", s.Id - s.Ntot)
            return sites

        def init_lattice(self, model_params):
            Lx = model_params.get("Lx", 2)
            sites = self.init_sites(model_params)
            return Lattice([Lx], sites, bc="open", bc_MPS="finite", basis=[[1.0]],
                           positions=[[0.0], [0.0], [0.0], [0.0]])

        def init_terms(self, model_params):
            t = model_params.get("t_par", 0.1)
            J = model_params.get("J_perp", 1.0)
            V = model_params.get("V", 1.0)
            m = model_params.get("y_bonds", 2)
            for u in range(4):                              # along x, inside each layer
                self.add_coupling(-t, u, "Cdu", u, "Cu", [1], plus_hc=True)
                self.add_coupling(-t, u, "Cdd", u, "Cd", [1], plus_hc=True)
            if m:
                for layer in (0, 1):                        # around the cylinder, inside each layer
                    a, b = layer, 2 + layer
                    self.add_coupling(-m * t, a, "Cdu", b, "Cu", [0], plus_hc=True)
                    self.add_coupling(-m * t, a, "Cdd", b, "Cd", [0], plus_hc=True)
            for a in (0, 2):                                # the rungs between the layers
                b = a + 1
                self.add_coupling(0.5 * J, a, "Sp", b, "Sm", [0], plus_hc=True)
                self.add_coupling(J, a, "Sz", b, "Sz", [0])
                self.add_coupling(-0.25 * J, a, "Ntot", b, "Ntot", [0])
                self.add_coupling(V, a, "Nh", b, "Nh", [0])

    return _MixDCylinderModel


def MixDCylinderModel(Lx: int, J_perp: float, V: float = 1.0, t_par: float = 0.1, *, y_bonds: int = 2):
    """Build the TeNPy model of the MixD+V bilayer on a width-2 cylinder (TeNPy imported on demand).

    Parameters
    ----------
    Lx : int
        Length along the cylinder (rungs per leg), in [1, 200].
    J_perp : float
        Inter-layer exchange, in [0, 1e6] (units of V).
    V : float, optional
        Rung repulsion, in [0, 1e6] (the unit of energy).
    t_par : float, optional
        Intra-layer hopping, |t_par| <= 1e3 (units of V).
    y_bonds : int, optional
        Bonds joining y = 0 and y = 1 in each layer: 2 (periodic), 1 (open), 0 (decoupled ladders).

    Returns
    -------
    tenpy.models.model.CouplingMPOModel
        The model; charges (N_layer0, N_layer1, 2 S^z); site 4 x + 2 y + layer.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.

    Examples
    --------
    >>> M = MixDCylinderModel(2, J_perp=1.0)
    >>> M.lat.N_sites
    8
    """
    Lx = check.integer("Lx", Lx, 1, CYLINDER_MAX_LX)
    J_perp = check.nonnegative("J_perp", J_perp, hi=1e6)
    V = check.nonnegative("V", V, hi=1e6)
    t_par = check.in_range("t_par", t_par, -1e3, 1e3)
    y_bonds = check.choice("y_bonds", y_bonds, (0, 1, 2))
    return _model_class()(dict(Lx=Lx, J_perp=J_perp, V=V, t_par=t_par, y_bonds=y_bonds))
