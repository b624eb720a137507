namespace SymbolicGrad.TestProblems;

/// <summary>
/// The Moré–Garbow–Hillstrom test set (ACM TOMS 7(1), 1981): all 35 problems at the sizes listed in
/// <see cref="All"/>, each with its standard starting point and published minimum. Each problem lives in its own file
/// (<c>Mgh/P01Rosenbrock.cs</c> …) holding its three forms: the hand-written residuals, Jacobian and residual curvature
/// (in <see cref="Mgh"/>), f = Σ rᵢ² as a natural <c>[Differentiable]</c> method (in <see cref="MghObjectives"/>) and the
/// residuals as a natural vector-valued method (in <see cref="MghResiduals"/>).
/// </summary>
public static partial class Mgh
{
    private static readonly Lazy<MghProblem[]> Problems = new(() =>
    [
        Rosenbrock(),
        FreudensteinRoth(),
        PowellBadlyScaled(),
        BrownBadlyScaled(),
        Beale(),
        JennrichSampson(),
        HelicalValley(),
        Bard(),
        Gaussian(),
        Meyer(),
        Gulf(),
        Box3D(),
        PowellSingular(),
        Wood(),
        KowalikOsborne(),
        BrownDennis(),
        Osborne1(),
        BiggsExp6(),
        Osborne2(),
        Watson(),
        ExtendedRosenbrock(),
        ExtendedPowellSingular(),
        PenaltyI(),
        PenaltyII(),
        VariablyDimensioned(),
        Trigonometric(),
        BrownAlmostLinear(),
        DiscreteBoundaryValue(),
        DiscreteIntegralEquation(),
        BroydenTridiagonal(),
        BroydenBanded(),
        LinearFullRank(),
        LinearRank1(),
        LinearRank1ZeroColumnsRows(),
        Chebyquad(),
    ]);

    /// <summary>Every problem, in the paper's order, at its standard size.</summary>
    public static IReadOnlyList<MghProblem> All => Problems.Value;

    /// <summary>The problem with the paper's number <paramref name="number"/> (1–35).</summary>
    public static MghProblem ByNumber(int number) =>
        All.FirstOrDefault(p => p.Number == number) ?? throw new ArgumentOutOfRangeException(nameof(number), number, "The paper numbers its problems 1–35.");
}

/// <summary>f(x) = Σ fᵢ(x)² of each Moré–Garbow–Hillstrom problem, written from the paper as a person would: the generator writes the gradients.</summary>
public static partial class MghObjectives
{
}

/// <summary>
/// The residuals fᵢ(x) of each Moré–Garbow–Hillstrom problem as a natural C# method that writes its last
/// <c>Span&lt;double&gt;</c>: the vector-valued form the generator will differentiate into <c>NameJacobian</c>.
/// The methods carry <c>[Differentiable]</c> only when <c>MGH_GENERATED</c> is defined.
/// </summary>
public static partial class MghResiduals
{
}
