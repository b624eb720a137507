using SymbolicGrad.TestFunctions;

namespace SymbolicGrad.Tests;

/// <summary>The numbers of the seed documents, and the documented conventions at kinks.</summary>
public class SeedDocumentTests
{
    [Fact]
    public void GradientDescentOnParabolaFollowsTheSeedTrajectory()
    {
        // x ← x − 0.1·f′(x) with f = (x − 3)², from 0; the seeds print x after each step.
        var seen = new Dictionary<int, double>();
        double x = 0;
        for (int step = 0; step < 40; step++)
        {
            F.ParabolaGradient(x, out double dx);
            x -= 0.1 * dx;
            seen[step] = x;
            Assert.Equal(3 - 3 * Math.Pow(0.8, step + 1), x, 12); // the closed form of this linear recurrence
        }

        Assert.Equal(0.6000, Math.Round(seen[0], 4));
        Assert.Equal(2.2136, Math.Round(seen[5], 4));
        Assert.Equal(2.9723, Math.Round(seen[20], 4));
        Assert.Equal(2.9996, Math.Round(seen[39], 4));
    }

    [Fact]
    public void GradientDescentWithTooLargeAStepDiverges()
    {
        double x = 0;
        var trajectory = new List<double>();
        for (int step = 0; step < 3; step++)
        {
            F.ParabolaGradient(x, out double dx);
            x -= 1.1 * dx;
            trajectory.Add(Math.Round(x, 3));
        }

        Assert.Equal(new[] { 6.600, -1.320, 8.184 }, trajectory);
        for (int step = 0; step < 50; step++)
        {
            F.ParabolaGradient(x, out double dx);
            x -= 1.1 * dx;
        }

        Assert.True(Math.Abs(x - 3) > 1e3, $"|x − 3| = {Math.Abs(x - 3)} should have grown");
    }

    [Fact]
    public void CircuitGradientMatchesTheSeed()
    {
        double f = F.CircuitGradient(-2, 5, -4, out double dx, out double dy, out double dz);
        Assert.Equal(-12, f);
        Assert.Equal((-4.0, -4.0, 3.0), (dx, dy, dz));
    }

    [Fact]
    public void QuadraticGradientMatchesTheSeed()
    {
        double f = F.SeedQuadraticGradient(2, 1, out double d0, out double d1);
        Assert.Equal(10, f);
        Assert.Equal((7.0, 6.0), (d0, d1));
    }
}

public class KinkConventionTests
{
    [Fact]
    public void AbsHasDerivativeZeroAtZero()
    {
        F.AbsGradient(0.0, out double d);
        Assert.Equal(0.0, d);
        F.AbsGradient(-0.0, out d);
        Assert.Equal(0.0, d);
        F.AbsGradient(1e-300, out d);
        Assert.Equal(1.0, d);
        F.AbsGradient(-1e-300, out d);
        Assert.Equal(-1.0, d);
    }

    [Fact]
    public void MaxAndMinSplitATieEvenly()
    {
        F.MaxGradient(2.0, 2.0, out double dx, out double dy);
        Assert.Equal((0.5, 0.5), (dx, dy));
        F.MinGradient(-1.0, -1.0, out dx, out dy);
        Assert.Equal((0.5, 0.5), (dx, dy));
        F.MaxGradient(2.0, 1.0, out dx, out dy);
        Assert.Equal((1.0, 0.0), (dx, dy));
        F.MinGradient(2.0, 1.0, out dx, out dy);
        Assert.Equal((0.0, 1.0), (dx, dy));
    }

    [Fact]
    public void ClampPassesTheDerivativeToXOnTheClosedInterval()
    {
        F.ClampGradient(0.0, 0.0, 1.0, out double dx, out double dlo, out double dhi);
        Assert.Equal((1.0, 0.0, 0.0), (dx, dlo, dhi));
        F.ClampGradient(1.0, 0.0, 1.0, out dx, out dlo, out dhi);
        Assert.Equal((1.0, 0.0, 0.0), (dx, dlo, dhi));
        F.ClampGradient(-0.5, 0.0, 1.0, out dx, out dlo, out dhi);
        Assert.Equal((0.0, 1.0, 0.0), (dx, dlo, dhi));
        F.ClampGradient(1.5, 0.0, 1.0, out dx, out dlo, out dhi);
        Assert.Equal((0.0, 0.0, 1.0), (dx, dlo, dhi));
    }

    [Fact]
    public void HypotHasDerivativeZeroAtTheOrigin()
    {
        F.HypotGradient(0.0, 0.0, out double dx, out double dy);
        Assert.Equal((0.0, 0.0), (dx, dy));
    }

    [Fact]
    public void PowWithZeroBaseHasNoDerivativeInTheExponent()
    {
        F.PowBothGradient(0.0, 2.0, out double dx, out double dy);
        Assert.Equal((0.0, 0.0), (dx, dy));
        F.PowBothGradient(0.0, 1.0, out dx, out dy);
        Assert.Equal((1.0, 0.0), (dx, dy));
        F.PowBothGradient(0.0, 0.0, out dx, out dy);
        Assert.Equal((0.0, 0.0), (dx, dy));
        F.PowBothGradient(2.0, 0.0, out dx, out dy);
        Assert.Equal((0.0, Math.Log(2.0)), (dx, dy));
    }

    [Fact]
    public void StepFunctionsHaveDerivativeZero()
    {
        // floor + ceiling + round + truncate + sign + x: only the last term has a derivative, also on the steps.
        F.StepFunctionsGradient(2.0, out double d);
        Assert.Equal(1.0, d);
        F.StepFunctionsGradient(2.5, out d);
        Assert.Equal(1.0, d);
    }
}

public class GeneratedMethodShapeTests
{
    [Fact]
    public void FloatMethodsGetFloatGradients()
    {
        float value = SingleFunctions.BumpGradient(0.3f, -0.2f, out float dx, out float dy);
        double x = 0.3, y = -0.2, e = Math.Exp(-(x * x + y * y));
        Assert.Equal(e * Math.Cos(x), value, 6);
        Assert.Equal(-2 * x * e * Math.Cos(x) - e * Math.Sin(x), dx, 5);
        Assert.Equal(-2 * y * e * Math.Cos(x), dy, 5);
    }

    [Fact]
    public void PrivateInstanceMethodsGetPrivateGradients()
    {
        var r = new Regularized(0.1);
        Assert.Equal(Math.Sign(-0.5) + -0.5, r.PenaltyGradientFor(-0.5), 15);
        var method = typeof(Regularized).GetMethod("PenaltyGradient", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance);
        Assert.NotNull(method);
        Assert.True(method!.IsPrivate);
        Assert.Null(typeof(Regularized).GetMethod("PenaltyGradient"));
    }

    [Fact]
    public void GradientMethodsCopyStaticnessAndAccessibility()
    {
        var gradient = typeof(Shared).GetMethod("InternalCubeGradient", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static);
        Assert.NotNull(gradient);
        Assert.True(gradient!.IsAssembly);
        var parameters = gradient.GetParameters();
        Assert.Equal(new[] { "x", "dX" }, parameters.Select(p => p.Name));
        Assert.True(parameters[1].IsOut);
        Assert.Equal(typeof(double), gradient.ReturnType);
    }

    [Fact]
    public void DataParametersGetNoOutput()
    {
        var parameters = typeof(F).GetMethod(nameof(F.DataParameterGradient))!.GetParameters();
        Assert.Equal(new[] { "w", "x", "y", "dW" }, parameters.Select(p => p.Name));
        var intParameters = typeof(F).GetMethod(nameof(F.IntegerParametersGradient))!.GetParameters();
        Assert.Equal(new[] { "x", "n", "m", "flip", "dX" }, intParameters.Select(p => p.Name));
    }

    [Fact]
    public void AThrowInTheMethodIsAThrowInTheGradient()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => F.ThrowOnBadInputGradient(-1, out _));
        Assert.Equal("x", ex.ParamName);
    }

    [Fact]
    public void ObjectivesBindDataAndNameParameters()
    {
        var f = F.DataParameterObjective(2.0, 3.0);
        Assert.Equal(1, f.Dimension);
        Assert.Equal("DataParameter", f.Name);
        Assert.Equal(new[] { "w" }, f.ParameterNames);
        var g = new double[1];
        Assert.Equal(F.DataParameter(0.5, 2.0, 3.0), f.ValueAndGradient(new[] { 0.5 }, g));
        Assert.Throws<ArgumentException>(() => f.ValueAndGradient(new[] { 0.5, 1 }, g));
    }
}
