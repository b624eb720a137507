namespace SymbolicGrad.Optimizers.Tests;

public class NewtonTests
{
    [Fact]
    public void NewtonSaysWhenTheDenseHessianCannotBeStored()
    {
        // n = 46,341: n² just passes Array.MaxLength (OverflowException before stop 32; OutOfMemory at 65,536).
        const int n = 46_341;
        var error = Assert.Throws<ArgumentException>(() => new Newton().Minimize((x, g) =>
        {
            g.Clear();
            return 0;
        }, new double[n]));
        Assert.Contains("2147488281 entries", error.Message);
        Assert.Contains("Newton-CG", error.Message);
    }

    [Fact]
    public void SolvesAQuadraticInOneStep()
    {
        var result = new Newton().Minimize(TestFunctions.Bowl, [1.0, -1.0]);
        Assert.Equal(StopReason.GradientTolerance, result.StopReason);
        Assert.Equal(1, result.Steps);
        Assert.True(Math.Abs(result.Parameters[0]) < 1e-9 && Math.Abs(result.Parameters[1]) < 1e-9);
        // One value at the start, 2n = 4 for the Hessian, one accepted full step.
        Assert.Equal(6, result.GradientEvaluations);
    }

    [Theory]
    [InlineData(2, -1.2, 1.0)]
    [InlineData(10, 0.0, 0.0)]
    public void ConvergesOnRosenbrock(int n, double even, double odd)
    {
        // (From (−1.2, 1, −1.2, …) the 10-D chained function leads Newton to its other stationary point near
        // (−1, 1, …, 1) with f ≈ 3.98658, a genuine local minimum; start from 0 for the global one.)
        var start = new double[n];
        for (int i = 0; i < n; i++)
        {
            start[i] = i % 2 == 0 ? even : odd;
        }

        var f = TestFunctions.AsFunction(n, TestFunctions.Rosenbrock, "rosenbrock");
        var result = new Newton().Minimize(f, start);
        Assert.True(result.Converged, result.ToString());
        Assert.True(TestFunctions.DistanceToOnes(result.Parameters) < 1e-8, result.ToString());
        Assert.True(result.Steps < 60, result.ToString());
    }

    [Fact]
    public void DampingTurnsANegativeCurvatureStartIntoDescent()
    {
        // f = x⁴/4 − x²/2 has f'' = 3x² − 1 < 0 at x = 0.1; a plain Newton step would head for the maximum at 0.
        var result = new Newton().Minimize((x, g) =>
        {
            g[0] = x[0] * x[0] * x[0] - x[0];
            return Math.Pow(x[0], 4) / 4 - x[0] * x[0] / 2;
        }, [0.1]);
        Assert.Equal(1.0, result.Parameters[0], 8);
        for (int k = 1; k < result.LossHistory.Count; k++)
        {
            Assert.True(result.LossHistory[k] <= result.LossHistory[k - 1]);
        }
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        Assert.Equal("maxIterations", Assert.Throws<ArgumentOutOfRangeException>(() => new Newton(maxIterations: 0)).ParamName);
        Assert.Throws<ArgumentException>(() => new Newton().Minimize(TestFunctions.Bowl, [double.NaN, 0]));
    }
}
