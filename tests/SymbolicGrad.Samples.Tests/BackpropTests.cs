using SymbolicGrad.Samples.Backprop;

namespace SymbolicGrad.Samples.Tests;

public class BackpropTests
{
    private static readonly Lazy<SampleOutput> Output = new(() => SampleHarness.Run(BackpropSample.Run, "Backprop"));

    [Fact]
    public void TheClassicCircuitHasGradientsMinus4Minus4And3()
    {
        var nodes = BackpropSample.Circuit(-2, 5, -4);
        Assert.Equal([-4.0, -4.0, 3.0], nodes.Take(3).Select(n => n.Gradient));
        Assert.Equal(3, nodes[3].Value);   // q = x + y
        Assert.Equal(-4, nodes[3].Gradient);
        Assert.Equal(-12, nodes[4].Value);
        double f = Losses.CircuitGradient(-2, 5, -4, out double dX, out double dY, out double dZ);
        Assert.Equal((-12.0, -4.0, -4.0, 3.0), (f, dX, dY, dZ));
        Assert.Equal(["x", "input", "-2", "-4"], Output.Value.Row("x", "f = (x + y)·z")[..4]);
        Assert.Equal(["y", "input", "5", "-4"], Output.Value.Row("y", "f = (x + y)·z")[..4]);
        Assert.Equal(["z", "input", "-4", "3"], Output.Value.Row("z", "f = (x + y)·z")[..4]);
    }

    [Fact]
    public void AddDistributesMultiplySwitchesMaxRoutes()
    {
        var nodes = BackpropSample.Gates(3, -4, 2, -1);
        // f = 2·(x·y + max(z, w)) = −20; ∂f/∂x = 2y, ∂f/∂y = 2x, ∂f/∂z = 2 (z is the max), ∂f/∂w = 0.
        Assert.Equal(-20, nodes[^1].Value);
        Assert.Equal([-8.0, 6.0, 2.0, 0.0], nodes.Take(4).Select(n => n.Gradient));
        Losses.GatesGradient(3, -4, 2, -1, out double gX, out double gY, out double gZ, out double gW);
        Assert.Equal([gX, gY, gZ, gW], nodes.Take(4).Select(n => n.Gradient));
    }

    [Fact]
    public void FanOutAddsTheGradients()
    {
        // f = x·x through one multiply gate reading x twice: ∂f/∂x = 2x.
        var nodes = BackpropSample.Backpropagate([("x", "input", [], 3.0), ("f", "×", [0, 0], 0)]);
        Assert.Equal(6, nodes[0].Gradient);
        Assert.Throws<ArgumentException>(() => BackpropSample.Backpropagate([("f", "+", [1, 2], 0)]));
    }

    [Fact]
    public void ShowsTheGeneratedSource()
    {
        string source = BackpropSample.GeneratedSource("CircuitGradient", out string where);
        Assert.EndsWith(".cs", where, StringComparison.Ordinal);
        Assert.Contains("CircuitGradient(double x, double y, double z, out double dX, out double dY, out double dZ)", source, StringComparison.Ordinal);
        Assert.Contains("CircuitGradient", Output.Value.Output, StringComparison.Ordinal);
        Assert.Contains("out double dZ", Output.Value.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void WritesItsFigures()
    {
        SampleHarness.AssertFigures(Output.Value, "circuit", "gates");
        SampleHarness.AssertSvg(Path.Combine(Output.Value.Directory, "circuit.svg"), "CircuitGradient", "-12", "-4", "3", "green: value on the wire (forward)", "+", "×");
        SampleHarness.AssertSvg(Path.Combine(Output.Value.Directory, "gates.svg"), "GatesGradient", "max", "-20", "-8");
    }
}
