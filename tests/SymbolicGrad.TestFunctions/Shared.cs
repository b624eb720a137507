using SymbolicGrad;

namespace SymbolicGrad.TestFunctions;

/// <summary>
/// [Differentiable] helpers in a separate project built for net8.0 with its default C# version: other
/// projects call them, and their generated gradients are used through the chain rule across assemblies.
/// </summary>
public static partial class Shared
{
    [Differentiable]
    public static double Sigmoid(double z) => 1.0 / (1.0 + Math.Exp(-z));

    [Differentiable]
    public static double SoftPlus(double z) => z > 30 ? z : Math.Log(1 + Math.Exp(z));

    [Differentiable]
    public static double Norm2(double x, double y) => Math.Sqrt(x * x + y * y);

    /// <summary>A scaled square with a data parameter.</summary>
    [Differentiable]
    public static double ScaledSquare(double x, [NoDerivative] double scale) => scale * x * x;

    [Differentiable]
    internal static double InternalCube(double x) => x * x * x;

    public static double CallsInternal(double x) => InternalCube(x);

    public sealed partial class Nested
    {
        public Nested(double weight) => Weight = weight;

        public double Weight { get; }

        [Differentiable]
        public double Weighted(double x) => Weight * Math.Sin(x);
    }
}

/// <summary>A float method: its gradient is in float.</summary>
public static partial class SingleFunctions
{
    [Differentiable]
    public static float Bump(float x, float y) => MathF.Exp(-(x * x + y * y)) * MathF.Cos(x);
}
