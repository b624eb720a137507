namespace SymbolicGrad.Samples.Backprop;

/// <summary>Two circuits, and the gates they are made of, each [Differentiable]: the generator writes every gradient.</summary>
public static partial class Losses
{
    /// <summary>The classic circuit: f = (x + y)·z.</summary>
    [Differentiable]
    public static double Circuit(double x, double y, double z) => (x + y) * z;

    /// <summary>A circuit with all three gate kinds: f = 2·(x·y + max(z, w)).</summary>
    [Differentiable]
    public static double Gates(double x, double y, double z, double w) => 2 * (x * y + Math.Max(z, w));

    /// <summary>The add gate. Its generated gradient is (1, 1): it hands the gradient from above to both inputs.</summary>
    [Differentiable]
    public static double Add(double a, double b) => a + b;

    /// <summary>The multiply gate. Its generated gradient is (b, a): each input gets the other's value.</summary>
    [Differentiable]
    public static double Multiply(double a, double b) => a * b;

    /// <summary>The max gate. Its generated gradient is 1 for the larger input and 0 for the other.</summary>
    [Differentiable]
    public static double Max(double a, double b) => Math.Max(a, b);
}
