using System.Globalization;

namespace SymbolicGrad.TestProblems;

/// <summary>Writes J(x) (row-major, m × n: row i is ∇rᵢ) into <paramref name="jacobian"/>, which arrives cleared.</summary>
/// <param name="x">The point.</param>
/// <param name="jacobian">Receives the non-zero entries of J; the caller clears it first.</param>
public delegate void JacobianOnlyFunction(ReadOnlySpan<double> x, Span<double> jacobian);

/// <summary>
/// Adds Σᵢ wᵢ·∇²rᵢ(x)·v into <paramref name="result"/> (which arrives cleared): the second-order part of the Hessian of a
/// sum of squares, ∇²(Σ rᵢ²) = 2(JᵀJ + Σ rᵢ∇²rᵢ).
/// </summary>
/// <param name="x">The point.</param>
/// <param name="w">The weights (the residuals, for the Hessian of Σ rᵢ²).</param>
/// <param name="v">The direction.</param>
/// <param name="result">Receives Σ wᵢ ∇²rᵢ v.</param>
public delegate void ResidualCurvatureFunction(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> v, Span<double> result);

/// <summary>A minimum the paper reports, as the paper measures it (f = Σ fᵢ², not ½Σ fᵢ²).</summary>
/// <param name="Value">f at the minimum.</param>
/// <param name="Where">Where it lies, in the paper's words.</param>
public sealed record MghMinimum(double Value, string Where);

/// <summary>
/// One problem of Moré, Garbow and Hillstrom, "Testing unconstrained optimization software", ACM TOMS 7(1), 1981:
/// residuals r: ℝⁿ → ℝᵐ and the objective f(x) = Σ rᵢ(x)² (the paper's f; <see cref="LeastSquaresFunction.Cost"/> is
/// ½‖r‖² = f/2). Three independent forms: hand-written residuals with a hand-written analytic Jacobian and residual
/// curvature (the oracle), the residuals as a natural C# method (<see cref="ResidualForm"/>, the future
/// <c>[Differentiable]</c> vector-valued form), and f as a natural <c>[Differentiable]</c> C# method
/// (<see cref="GeneratedObjective"/>, its gradient generated).
/// </summary>
public sealed partial class MghProblem
{
    private readonly double[] _start;
    private readonly ResidualFunction _residuals;
    private readonly JacobianOnlyFunction _jacobian;
    private readonly ResidualCurvatureFunction _curvature;
    private readonly Func<int, DifferentiableFunction> _generatedObjective;

    internal MghProblem(
        int number,
        string name,
        int n,
        int m,
        double[] start,
        MghMinimum minimum,
        ResidualFunction residuals,
        JacobianOnlyFunction jacobian,
        ResidualCurvatureFunction curvature,
        Func<int, DifferentiableFunction> generatedObjective,
        ResidualFunction residualForm,
        string sizeNote = "",
        params MghMinimum[] otherMinima)
    {
        if (start.Length != n)
        {
            throw new ArgumentException($"Problem {number} ({name}): the starting point has {start.Length} components, not n = {n}.", nameof(start));
        }

        Number = number;
        Name = name;
        N = n;
        M = m;
        _start = start;
        Minimum = minimum;
        OtherMinima = otherMinima;
        SizeNote = sizeNote;
        _residuals = residuals;
        _jacobian = jacobian;
        _curvature = curvature;
        _generatedObjective = generatedObjective;
        ResidualForm = residualForm;
    }

    /// <summary>The problem's number in the paper (1–35).</summary>
    public int Number { get; }

    /// <summary>The paper's name for it.</summary>
    public string Name { get; }

    /// <summary>n, the number of variables.</summary>
    public int N { get; }

    /// <summary>m, the number of residuals.</summary>
    public int M { get; }

    /// <summary>The paper's standard starting point x₀ (a fresh copy).</summary>
    public double[] Start => (double[])_start.Clone();

    /// <summary>The published minimum of f = Σ fᵢ² for this n and m (the smallest the paper reports).</summary>
    public MghMinimum Minimum { get; }

    /// <summary>Other minima the paper reports (local minima, minima at infinity).</summary>
    public IReadOnlyList<MghMinimum> OtherMinima { get; }

    /// <summary>Why these n and m, for the problems whose size the paper leaves open.</summary>
    public string SizeNote { get; }

    /// <summary>The residuals as a natural C# method that writes its last <c>Span&lt;double&gt;</c> (the vector-valued form).</summary>
    public ResidualFunction ResidualForm { get; }

    /// <summary>"(10) Meyer, n = 3, m = 16".</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture, $"({Number}) {Name}, n = {N}, m = {M}");

    /// <summary>Writes the hand-written residuals.</summary>
    public void Residuals(ReadOnlySpan<double> x, Span<double> r)
    {
        CheckLengths(x.Length, r.Length);
        _residuals(x, r);
    }

    /// <summary>Writes the hand-written residuals and the hand-written analytic Jacobian (row-major, m × n).</summary>
    public void Jacobian(ReadOnlySpan<double> x, Span<double> r, Span<double> jacobian)
    {
        CheckLengths(x.Length, r.Length);
        if (jacobian.Length != M * N)
        {
            throw new ArgumentException($"{Label}: the Jacobian has {M * N} entries but jacobian has length {jacobian.Length}.", nameof(jacobian));
        }

        _residuals(x, r);
        jacobian.Clear();
        _jacobian(x, jacobian);
    }

    /// <summary>Writes Σᵢ wᵢ ∇²rᵢ(x) v from the hand-written second derivatives of the residuals.</summary>
    public void Curvature(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> v, Span<double> result)
    {
        CheckLengths(x.Length, w.Length);
        if (v.Length != N || result.Length != N)
        {
            throw new ArgumentException($"{Label}: v and result must have length n = {N}.");
        }

        result.Clear();
        _curvature(x, w, v, result);
    }

    /// <summary>f(x) = Σ rᵢ(x)² from the hand-written residuals (the paper's f).</summary>
    public double Value(ReadOnlySpan<double> x)
    {
        var r = new double[M];
        Residuals(x, r);
        double sum = 0;
        foreach (double ri in r)
        {
            sum += ri * ri;
        }

        return sum;
    }

    /// <summary>∇f = 2Jᵀr from the hand-written Jacobian; returns f.</summary>
    public double ValueAndGradient(ReadOnlySpan<double> x, Span<double> gradient)
    {
        var r = new double[M];
        var j = new double[M * N];
        Jacobian(x, r, j);
        gradient.Clear();
        double sum = 0;
        for (int i = 0; i < M; i++)
        {
            sum += r[i] * r[i];
            for (int k = 0; k < N; k++)
            {
                gradient[k] += 2 * j[(i * N) + k] * r[i];
            }
        }

        return sum;
    }

    /// <summary>∇²f·v = 2(Jᵀ(Jv) + Σ rᵢ ∇²rᵢ v), exactly, from the hand-written derivatives.</summary>
    public void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> result)
    {
        var r = new double[M];
        var j = new double[M * N];
        Jacobian(x, r, j);
        Curvature(x, r, v, result);
        for (int i = 0; i < M; i++)
        {
            double jv = 0;
            for (int k = 0; k < N; k++)
            {
                jv += j[(i * N) + k] * v[k];
            }

            for (int k = 0; k < N; k++)
            {
                result[k] += j[(i * N) + k] * jv;
            }
        }

        for (int k = 0; k < N; k++)
        {
            result[k] *= 2;
        }
    }

    /// <summary>The residuals with the hand-written Jacobian, for Levenberg–Marquardt (its cost ½‖r‖² is f/2).</summary>
    public LeastSquaresFunction LeastSquares() => new(N, M, Residuals, Jacobian, Name);

    /// <summary>
    /// f = Σ rᵢ² with the hand-written gradient 2Jᵀr and, when <paramref name="withHessian"/>, the exact hand-written
    /// Hessian-vector product (so <see cref="DifferentiableFunction.HasHessian"/> is true).
    /// </summary>
    public DifferentiableFunction Objective(bool withHessian = false) => new(
        N, Value, ValueAndGradient, Name, hessianVectorProduct: withHessian ? HessianVectorProduct : null);

    /// <summary>
    /// f = Σ rᵢ² as the natural <c>[Differentiable]</c> method in <see cref="MghObjectives"/>: its generated
    /// <c>NameObjective(n)</c>, value and gradient both from the generator's output.
    /// </summary>
    public DifferentiableFunction GeneratedObjective() => _generatedObjective(N);

    /// <inheritdoc />
    public override string ToString() => Label;

    private void CheckLengths(int xLength, int rLength)
    {
        if (xLength != N)
        {
            throw new ArgumentException($"{Label}: x has length {xLength}, not n = {N}.");
        }

        if (rLength != M)
        {
            throw new ArgumentException($"{Label}: the residual vector has length {rLength}, not m = {M}.");
        }
    }
}
