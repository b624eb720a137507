using SymbolicGrad.Samples.Newton;

namespace SymbolicGrad.Samples.Tests;

public class NewtonTests
{
    private static readonly Lazy<SampleOutput> Output = new(() => SampleHarness.Run(NewtonSample.Run, "Newton"));

    [Fact]
    public void TheGeneratedHessiansAreTheClosedForms()
    {
        var boyd = NewtonSample.Problems[0].Function;
        var rosenbrock = NewtonSample.Problems[1].Function;
        var h = new double[4];
        foreach (var (x, y) in new[] { (-1.0, 1.0), (0.3, -0.2), (1.5, 0.7) })
        {
            double a = Math.Exp(x + (3 * y) - 0.1), b = Math.Exp(x - (3 * y) - 0.1), c = Math.Exp(-x - 0.1);
            boyd.Hessian([x, y], h);
            Assert.Equal(a + b + c, h[0], 1e-12);
            Assert.Equal(3 * (a - b), h[1], 1e-12);
            Assert.Equal(h[1], h[2]);
            Assert.Equal(9 * (a + b), h[3], 1e-12);

            rosenbrock.Hessian([x, y], h);
            Assert.Equal(2 - (400 * y) + (1200 * x * x), h[0], 1e-10);
            Assert.Equal(-400 * x, h[1], 1e-10);
            Assert.Equal(200, h[3], 1e-10);
        }
    }

    [Fact]
    public void NewtonConvergesQuadraticallyAndGradientDescentLinearly()
    {
        foreach (var p in NewtonSample.Problems)
        {
            var newton = NewtonSample.Newton(p.Function, p.Start, 100);
            var descent = NewtonSample.GradientDescent(p.Function, p.Start, 20_000);
            Assert.True(NewtonSample.Distance(newton.Points[^1], p.Minimum) < 1e-8, $"{p.Name}: Newton ended at ({newton.Points[^1][0]}, {newton.Points[^1][1]})");
            Assert.True(newton.Iterations <= 25, $"{p.Name}: {newton.Iterations} Newton iterations");
            Assert.True(descent.Iterations > 4 * newton.Iterations, $"{p.Name}: gradient descent took {descent.Iterations}, Newton {newton.Iterations}");

            // Quadratic convergence: once within 0.05 of the minimum, ‖xₖ₊₁ − x*‖ ≤ C‖xₖ − x*‖² with a modest C.
            for (int k = 0; k + 1 < newton.Points.Count; k++)
            {
                double e = NewtonSample.Distance(newton.Points[k], p.Minimum);
                if (e < 0.05 && e > 1e-7)
                {
                    Assert.True(NewtonSample.QuadraticRatio(newton.Points[k + 1], newton.Points[k], p.Minimum) < 50, $"{p.Name}, step {k}");
                }
            }

            // Linear convergence: near the minimum gradient descent's error shrinks by a factor bounded away from 0.
            int late = descent.Points.FindIndex(x => NewtonSample.Distance(x, p.Minimum) < 1e-3);
            Assert.True(late > 0);
            double r = NewtonSample.Distance(descent.Points[late + 5], p.Minimum) / NewtonSample.Distance(descent.Points[late], p.Minimum);
            Assert.True(r > 1e-3, $"{p.Name}: gradient descent's error fell by {r} in 5 steps");
        }
    }

    [Fact]
    public void WritesItsFigures()
    {
        SampleHarness.AssertFigures(Output.Value, "boyd-newton", "rosenbrock-newton");
        foreach (var name in new[] { "boyd-newton", "rosenbrock-newton" })
        {
            SampleHarness.AssertSvg(Path.Combine(Output.Value.Directory, name + ".svg"), "gradient descent", "Newton (exact Hessian)", "f − p* (log scale)");
        }

        Assert.Contains("RosenbrockHessianVectorProduct", Output.Value.Output, StringComparison.Ordinal);
    }
}
