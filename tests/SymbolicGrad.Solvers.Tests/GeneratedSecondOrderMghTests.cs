using SymbolicGrad.Optimizers;
using SymbolicGrad.TestProblems;

namespace SymbolicGrad.Solvers.Tests;

/// <summary>
/// The generator's second-order code on the 35 Moré–Garbow–Hillstrom problems: the Jacobians it writes for the natural
/// vector-valued residual methods (NameJacobian, NameLeastSquares), and the Hessian-vector products it writes for the
/// objectives marked [Differentiable(Hessian = true)], against the hand-written ones from the paper's formulas.
/// </summary>
public class GeneratedSecondOrderMghTests
{
    public static TheoryData<int> Numbers() => MghProblemTests.Numbers();

    [Theory]
    [MemberData(nameof(Numbers))]
    public void GeneratedJacobianEqualsTheHandWrittenOne(int number)
    {
        var p = Mgh.ByNumber(number);
        var generated = p.GeneratedLeastSquares();
        var hand = p.LeastSquares();
        Assert.Equal((p.N, p.M), (generated.Dimension, generated.ResidualCount));
        foreach (var x in MghProblemTests.Points(p))
        {
            var rG = new double[p.M];
            var rH = new double[p.M];
            var jG = new double[p.M * p.N];
            var jH = new double[p.M * p.N];
            generated.Jacobian(x, rG, jG);
            hand.Jacobian(x, rH, jH);
            for (int i = 0; i < p.M; i++)
            {
                Assert.True(Close(rG[i], rH[i], Math.Abs(rH[i])), $"{p.Label}: r[{i}] = {rG[i]:R}, hand {rH[i]:R}");
                double rowScale = 0;
                for (int j = 0; j < p.N; j++)
                {
                    rowScale = Math.Max(rowScale, Math.Abs(jH[(i * p.N) + j]));
                }

                for (int j = 0; j < p.N; j++)
                {
                    int k = (i * p.N) + j;
                    Assert.True(Close(jG[k], jH[k], rowScale), $"{p.Label}: J[{i},{j}] = {jG[k]:R}, hand {jH[k]:R}");
                }
            }

            // The residuals alone agree with the Jacobian's pass.
            var r = new double[p.M];
            generated.Residuals(x, r);
            Assert.Equal(rG, r);
        }
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public void GeneratedHessianVectorProductEqualsTheHandWrittenOne(int number)
    {
        var p = Mgh.ByNumber(number);
        var generated = p.GeneratedObjective();
        var hand = p.Objective(withHessian: true);
        Assert.True(generated.HasHessian);
        var random = new Random(number);
        foreach (var x in MghProblemTests.Points(p))
        {
            var v = Enumerable.Range(0, p.N).Select(_ => (2 * random.NextDouble()) - 1).ToArray();
            var hvG = new double[p.N];
            var hvH = new double[p.N];
            generated.HessianVectorProduct(x, v, hvG);
            hand.HessianVectorProduct(x, v, hvH);
            double scale = hvH.Max(Math.Abs);
            for (int j = 0; j < p.N; j++)
            {
                Assert.True(Close(hvG[j], hvH[j], scale), $"{p.Label}: (Hv)[{j}] = {hvG[j]:R}, hand {hvH[j]:R}");
            }

            // The dense Hessian is symmetric and its columns are the products with unit vectors.
            var h = new double[p.N * p.N];
            generated.Hessian(x, h);
            var e = new double[p.N];
            var column = new double[p.N];
            for (int j = 0; j < p.N; j++)
            {
                e[j] = 1;
                hand.HessianVectorProduct(x, e, column);
                e[j] = 0;
                double columnScale = column.Max(Math.Abs);
                for (int i = 0; i < p.N; i++)
                {
                    Assert.Equal(h[(i * p.N) + j], h[(j * p.N) + i]);
                    Assert.True(Close(h[(i * p.N) + j], column[i], columnScale), $"{p.Label}: H[{i},{j}] = {h[(i * p.N) + j]:R}, hand {column[i]:R}");
                }
            }
        }
    }

    [Fact]
    public void LevenbergMarquardtWithTheGeneratedJacobianMatchesTheHandWrittenRun()
    {
        var failures = new List<string>();
        foreach (var p in Mgh.All)
        {
            var hand = new LevenbergMarquardt().Minimize(p.LeastSquares(), p.Start);
            var generated = new LevenbergMarquardt().Minimize(p.GeneratedLeastSquares(), p.Start);
            bool same = Math.Abs(generated.SumOfSquares - hand.SumOfSquares) <= 1e-6 * hand.SumOfSquares
                || (generated.SumOfSquares < 1e-20 && hand.SumOfSquares < 1e-20);
            if (generated.Success != hand.Success || !same || !MghExpectations.IsPublishedMinimum(p, generated.SumOfSquares, out _))
            {
                failures.Add($"{p.Label}: generated {generated}, hand {hand}");
            }

            // Rounding differences may change the path a little where f is near zero (Powell singular reaches 1e-30),
            // never much: as with the hand-written Jacobian, within a few evaluations of MINPACK's lmder.
            var minpack = MinpackRun.ByNumber(p.Number);
            if (generated.JacobianEvaluations > minpack.JacobianEvaluations + 5)
            {
                failures.Add($"{p.Label}: {generated.JacobianEvaluations} generated Jacobians, lmder {minpack.JacobianEvaluations}, hand-written {hand.JacobianEvaluations}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Equal up to rounding: the generated and the hand-written formulas evaluate the same math in different orders.</summary>
    private static bool Close(double a, double b, double scale) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, scale) || Math.Abs(a - b) <= 1e-12 * Math.Abs(b);
}
