namespace SymbolicGrad.TestProblems;

public sealed partial class MghProblem
{
    /// <summary>
    /// The residuals as the natural vector-valued method in <see cref="MghResiduals"/>, with the generator's
    /// <c>NameLeastSquares(n, m)</c>: residuals and Jacobian both from the generated code.
    /// </summary>
    public LeastSquaresFunction GeneratedLeastSquares() => Mgh.GeneratedLeastSquares(Number, N, M);
}

public static partial class Mgh
{
    internal static LeastSquaresFunction GeneratedLeastSquares(int number, int n, int m) => number switch
    {
        1 => MghResiduals.RosenbrockLeastSquares(n, m),
        2 => MghResiduals.FreudensteinRothLeastSquares(n, m),
        3 => MghResiduals.PowellBadlyScaledLeastSquares(n, m),
        4 => MghResiduals.BrownBadlyScaledLeastSquares(n, m),
        5 => MghResiduals.BealeLeastSquares(n, m),
        6 => MghResiduals.JennrichSampsonLeastSquares(n, m),
        7 => MghResiduals.HelicalValleyLeastSquares(n, m),
        8 => MghResiduals.BardLeastSquares(n, m),
        9 => MghResiduals.GaussianLeastSquares(n, m),
        10 => MghResiduals.MeyerLeastSquares(n, m),
        11 => MghResiduals.GulfLeastSquares(n, m),
        12 => MghResiduals.Box3DLeastSquares(n, m),
        13 => MghResiduals.PowellSingularLeastSquares(n, m),
        14 => MghResiduals.WoodLeastSquares(n, m),
        15 => MghResiduals.KowalikOsborneLeastSquares(n, m),
        16 => MghResiduals.BrownDennisLeastSquares(n, m),
        17 => MghResiduals.Osborne1LeastSquares(n, m),
        18 => MghResiduals.BiggsExp6LeastSquares(n, m),
        19 => MghResiduals.Osborne2LeastSquares(n, m),
        20 => MghResiduals.WatsonLeastSquares(n, m),
        21 => MghResiduals.ExtendedRosenbrockLeastSquares(n, m),
        22 => MghResiduals.ExtendedPowellSingularLeastSquares(n, m),
        23 => MghResiduals.PenaltyILeastSquares(n, m),
        24 => MghResiduals.PenaltyIILeastSquares(n, m),
        25 => MghResiduals.VariablyDimensionedLeastSquares(n, m),
        26 => MghResiduals.TrigonometricLeastSquares(n, m),
        27 => MghResiduals.BrownAlmostLinearLeastSquares(n, m),
        28 => MghResiduals.DiscreteBoundaryValueLeastSquares(n, m),
        29 => MghResiduals.DiscreteIntegralEquationLeastSquares(n, m),
        30 => MghResiduals.BroydenTridiagonalLeastSquares(n, m),
        31 => MghResiduals.BroydenBandedLeastSquares(n, m),
        32 => MghResiduals.LinearFullRankLeastSquares(n, m),
        33 => MghResiduals.LinearRank1LeastSquares(n, m),
        34 => MghResiduals.LinearRank1ZeroColumnsRowsLeastSquares(n, m),
        35 => MghResiduals.ChebyquadLeastSquares(n, m),
        _ => throw new ArgumentOutOfRangeException(nameof(number), number, "The paper numbers its problems 1–35."),
    };
}
