namespace SymbolicGrad.Benchmarks.Problems;

/// <summary>
/// One benchmark problem at one size: a point, and the five contenders that evaluate it. A struct, so that the generic
/// benchmark class (<see cref="ProblemBenchmarks{TProblem}"/>) calls every contender directly, with no virtual call
/// that would weigh on the nanosecond-sized functions.
/// </summary>
/// <typeparam name="TSelf">The problem type itself.</typeparam>
public interface IProblem<TSelf>
    where TSelf : struct, IProblem<TSelf>
{
    /// <summary>The name in the report's <c>problem</c> column.</summary>
    static abstract string Name { get; }

    /// <summary>The sizes, as written in the report's <c>size</c> column.</summary>
    static abstract IReadOnlyList<string> Sizes { get; }

    /// <summary>The sizes that verify checks: <see cref="Sizes"/>, and for some problems a small extra instance.</summary>
    static virtual IReadOnlyList<string> VerifySizes => TSelf.Sizes;

    /// <summary>Whether the generated gradient is compiled in (false for the loop problems until issue 3 lands).</summary>
    static abstract bool HasGenerated { get; }

    /// <summary>Whether the tape contender runs (false where its tape would not fit in memory).</summary>
    static virtual bool HasTape => true;

    /// <summary>
    /// The floating-point operations of one gradient evaluation by the report's count (2 per multiply-add of the dense
    /// products, forward and reverse; see the report), or 0 where no GFLOP/s figure is reported.
    /// </summary>
    static virtual double GradientFlops(string size) => 0;

    /// <summary>Builds the problem at <paramref name="size"/>, one of <see cref="Sizes"/>, with its data from fixed seeds.</summary>
    static abstract TSelf Create(string size);

    /// <summary>The point at which every contender is evaluated: all the differentiable parameters, packed.</summary>
    double[] Point { get; }

    /// <summary>The function value alone.</summary>
    double Value(ReadOnlySpan<double> p);

    /// <summary>Hand-written analytic value and gradient.</summary>
    double Hand(ReadOnlySpan<double> p, Span<double> g);

    /// <summary>The generated <c>NameGradient</c>; throws <see cref="NotSupportedException"/> when not <see cref="HasGenerated"/>.</summary>
    double Generated(ReadOnlySpan<double> p, Span<double> g);

    /// <summary>The tape-based reverse mode of <see cref="Tape.Tape"/>; throws <see cref="NotSupportedException"/> when not <see cref="HasTape"/>.</summary>
    double Tape(ReadOnlySpan<double> p, Span<double> g);

    /// <summary>The problem as the PyTorch contender (<c>Torch/torch_bench.py</c>) reads it: model, parameter shapes, the same data.</summary>
    Torch.TorchExport Torch();
}

/// <summary>Centered differences, 2N evaluations of the value, called directly on the problem.</summary>
public static class Numeric
{
    private static readonly double CubeRootEpsilon = Math.Cbrt(Math.ScaleB(1.0, -52));

    /// <summary>∂f/∂pᵢ ≈ (f(p + hᵢeᵢ) − f(p − hᵢeᵢ)) / 2hᵢ for every i, with hᵢ = ∛ε·max(1, |pᵢ|).</summary>
    /// <returns>The first component (a result for the benchmark to consume).</returns>
    public static double Gradient<TProblem>(ref TProblem problem, double[] p, Span<double> g)
        where TProblem : struct, IProblem<TProblem>
    {
        for (int i = 0; i < p.Length; i++)
        {
            Component(ref problem, p, g, i);
        }

        return g[0];
    }

    /// <summary>One component of <see cref="Gradient{TProblem}"/>; <paramref name="p"/> is restored afterwards.</summary>
    public static void Component<TProblem>(ref TProblem problem, double[] p, Span<double> g, int i)
        where TProblem : struct, IProblem<TProblem>
    {
        double x = p[i];
        double h = CubeRootEpsilon * Math.Max(1.0, Math.Abs(x));
        double up = x + h;
        double down = x - h;
        p[i] = up;
        double fUp = problem.Value(p);
        p[i] = down;
        double fDown = problem.Value(p);
        p[i] = x;
        g[i] = (fUp - fDown) / (up - down);
    }
}

/// <summary>What the problems share.</summary>
internal static class ProblemHelpers
{
    public static NotSupportedException NotGenerated(string name) =>
        new($"The generated gradient of {name} needs loops (issue 3): build with -p:SymbolicGradLoops=true once they land.");

    /// <summary>A standard normal draw (Box–Muller), from a seeded <see cref="Random"/>.</summary>
    public static double Normal(Random random)
    {
        double u = 1.0 - random.NextDouble();
        double v = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }

    public static double Uniform(Random random, double low, double high) => low + (high - low) * random.NextDouble();
}
