using SymbolicGrad.Optimizers;
using SymbolicGrad.TestProblems;

namespace SymbolicGrad.Solvers.Tests;

/// <summary>
/// Minimize on all 35 Moré–Garbow–Hillstrom functions (gradient form) from the standard starting points: L-BFGS with the
/// generated gradient, Newton with the exact hand-written Hessian, Newton-CG with exact and with differenced
/// Hessian-vector products. Every run must say Success and end at a published minimum; the few that end at a published
/// local minimum rather than the global one are listed, so that a change in that list is noticed.
/// </summary>
public class MinimizeMghTests
{
    /// <summary>Problems where a solver ends at a published local minimum (or, for 26, lmder's), from the standard start.</summary>
    private static readonly Dictionary<string, int[]> LocalMinima = new()
    {
        // 2: f = 48.9842, the paper's local minimum; 18: f = 5.65565e-3, the paper's local minimum for m = 13;
        // 26: f = 2.79506e-5, the local minimum MINPACK's lmder also reaches (the paper gives only f = 0).
        ["lbfgs"] = [2, 18, 26],
        ["newton"] = [2, 26],
        ["newton-generated"] = [2, 26],
        ["newtoncg"] = [2, 18, 26],
        ["newtoncg-generated"] = [2, 18, 26],
        ["newtoncg-differences"] = [2, 18, 26],
    };

    /// <summary>
    /// Problems where a solver meets the default gtol = 1e-8 before f reaches the minimum: Powell's badly scaled function
    /// changes by only 1e-9 when x₂ moves by 3%, so Newton-CG's gradient is below 1e-8 at f = 1.2e-9 (x₂ = 8.84 for 9.106).
    /// A tighter tolerance reaches it (<see cref="ATighterGradientToleranceFinishesPowellBadlyScaled"/>).
    /// </summary>
    private static readonly Dictionary<string, int[]> ShortOfTheMinimum = new()
    {
        ["lbfgs"] = [],
        ["newton"] = [],
        ["newton-generated"] = [],
        ["newtoncg"] = [3],
        ["newtoncg-generated"] = [3],
        ["newtoncg-differences"] = [3],
    };

    public static TheoryData<string> Methods() => new() { "lbfgs", "newton", "newton-generated", "newtoncg", "newtoncg-generated", "newtoncg-differences" };

    [Theory]
    [MemberData(nameof(Methods))]
    public void EveryProblemReachesAPublishedMinimumAndSaysSo(string method)
    {
        var failures = new List<string>();
        var local = new List<int>();
        var short_ = new List<int>();
        foreach (var p in Mgh.All)
        {
            var result = Run(method, p);
            if (!result.Success)
            {
                failures.Add($"{p.Label}: not successful: {result}");
                continue;
            }

            // The paper's f is Σ rᵢ², which is what these objectives compute.
            if (ShortOfTheMinimum[method].Contains(p.Number) && result.Status == MinimizeStatus.GradientTolerance && result.Value < 1e-8)
            {
                short_.Add(p.Number);
            }
            else if (!MghExpectations.IsPublishedMinimum(p, result.Value, out _))
            {
                failures.Add($"{p.Label}: f = {result.Value:R} is no published minimum (f* = {p.Minimum.Value:R}): {result}");
            }
            else if (!MghExpectations.IsGlobal(p, result.Value))
            {
                local.Add(p.Number);
            }

            Assert.Equal(p.Value(result.X), result.Value, 1e-12 * Math.Max(1, Math.Abs(result.Value)));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(LocalMinima[method], local);
        Assert.Equal(ShortOfTheMinimum[method], short_);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ATighterGradientToleranceFinishesPowellBadlyScaled(bool exact)
    {
        var p = Mgh.ByNumber(3);
        var result = p.Objective(exact).Minimize(p.Start, new MinimizeOptions { Method = MinimizeMethod.NewtonCg, GradientTolerance = 1e-12 });
        Assert.True(result.Success && result.Value < 1e-20, result.ToString());
        Assert.Equal(9.106146739, result.X[1], 1e-6);
    }

    [Fact]
    public void TheIssuesExamplesAreSolvedWithTheDefaults()
    {
        // A bare PyTorch-style L-BFGS stops on Box 3-D and Osborne 1 after 3–4 evaluations, and on Meyer at f = 1.15e4.
        foreach (var (number, published) in new[] { (12, 0.0), (17, 5.46489e-5), (10, 87.9458) })
        {
            var p = Mgh.ByNumber(number);
            var result = p.GeneratedObjective().Minimize(p.Start);
            Assert.True(result.Success, result.ToString());
            Assert.True(MghExpectations.Matches(published, result.Value), result.ToString());
            Assert.True(result.FunctionEvaluations > 10, result.ToString());
        }
    }

    [Fact]
    public void ExactNewtonUsesTheHessianAndFewerGradients()
    {
        var p = Mgh.ByNumber(14); // Wood
        var exact = p.Objective(withHessian: true).Minimize(p.Start, new MinimizeOptions { Method = MinimizeMethod.Newton });
        var differences = p.Objective(withHessian: false).Minimize(p.Start, new MinimizeOptions { Method = MinimizeMethod.Newton });
        Assert.True(exact.Success && differences.Success, exact + "\n" + differences);
        Assert.Contains("exact", exact.Method);
        Assert.Contains("central differences", differences.Method);
        Assert.Equal(exact.Iterations, exact.HessianEvaluations);
        Assert.Equal(0, differences.HessianEvaluations);
        // 2n = 8 gradients per iteration for the differenced Hessian.
        Assert.True(differences.GradientEvaluations >= exact.GradientEvaluations + (8L * differences.Iterations), exact + "\n" + differences);
    }

    internal static MinimizeResult Run(string method, MghProblem p) => method switch
    {
        "lbfgs" => p.GeneratedObjective().Minimize(p.Start, new MinimizeOptions { Method = MinimizeMethod.Lbfgs }),
        "newton" => p.Objective(withHessian: true).Minimize(p.Start, new MinimizeOptions { Method = MinimizeMethod.Newton }),
        "newton-generated" => Generated(p).Minimize(p.Start, new MinimizeOptions { Method = MinimizeMethod.Newton }),
        "newtoncg" => p.Objective(withHessian: true).Minimize(p.Start, new MinimizeOptions { Method = MinimizeMethod.NewtonCg }),
        "newtoncg-generated" => Generated(p).Minimize(p.Start, new MinimizeOptions { Method = MinimizeMethod.NewtonCg }),
        _ => WithoutHessian(p.GeneratedObjective()).Minimize(p.Start, new MinimizeOptions { Method = MinimizeMethod.NewtonCg }),
    };

    /// <summary>The generated objective of a method marked [Differentiable(Hessian = true)]: exact Hessian-vector products from the generator.</summary>
    private static DifferentiableFunction Generated(MghProblem p)
    {
        var f = p.GeneratedObjective();
        Assert.True(f.HasHessian, p.Label);
        return f;
    }

    /// <summary>The same function with its value and gradient only, so that Newton-CG differences the gradient.</summary>
    internal static DifferentiableFunction WithoutHessian(DifferentiableFunction f) => new(f.Dimension, f.AsValue(), f.AsValueAndGradient(), f.Name, f.ParameterNames);
}
