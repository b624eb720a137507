using SymbolicGrad.Benchmarks.Generated;
using SymbolicGrad.Benchmarks.Tape;
using SymbolicGrad.Benchmarks.Torch;
using static SymbolicGrad.Benchmarks.Tape.Tape;

namespace SymbolicGrad.Benchmarks.Problems;

/// <summary>
/// The ADBench/GradBench GMM objective (gmm.h of ADBench): N points in D dimensions under a mixture of K Gaussians with
/// inverse-covariance factors Qₖ (exp of a log-diagonal, plus a strictly lower triangle) and a Wishart prior. Data as
/// ADBench draws it (seed 5): alphas ~ N(0, 1), means ~ U(0, 1), icf ~ N(0, 1), x ~ N(0, 1), γ = 1, m = 0. Parameters
/// packed as (alphas: K, means: K rows of D, icf: K blocks of D(D+1)/2).
/// </summary>
public struct GmmProblem : IProblem<GmmProblem>
{
    /// <summary>A small instance with m ≠ 0 and γ ≠ 1, checked by verify only (the benchmark sizes have ADBench's γ = 1, m = 0).</summary>
    public const string VerifySize = "N = 20, D = 3, K = 4, γ = 0.7, m = 2";

    private int _d;
    private int _k;
    private int _n;
    private int _icfSize;
    private double[] _x;
    private double _gamma;
    private int _m;
    private double _constant;
    private bool _reassociate;

    // scratch, allocated once per instance
    private double[] _qDiags;
    private double[] _sumQs;
    private double[] _centered;
    private double[] _qCentered;
    private double[] _mainTerm;
    private double[] _dQDiags;
    private double[] _sumWeights;
    private Var[] _vars;
    private Var[] _vQDiags;
    private Var[] _vSumQs;
    private Var[] _vCentered;
    private Var[] _vQCentered;
    private Var[] _vMainTerm;

    public static string Name => "GMM (ADBench)";

    public static IReadOnlyList<string> Sizes { get; } =
    [
        "N = 1,000, D = 2, K = 5", "N = 1,000, D = 10, K = 5", "N = 1,000, D = 2, K = 50",
        "N = 1,000, D = 10, K = 25", "N = 1,000, D = 20, K = 10", "N = 1,000, D = 64, K = 10",
        // With Reassociate = true: the sizes whose triangles have rows long enough for its sums' kernels to matter.
        "N = 1,000, D = 10, K = 25, Reassociate", "N = 1,000, D = 20, K = 10, Reassociate", "N = 1,000, D = 64, K = 10, Reassociate",
    ];

    public static IReadOnlyList<string> VerifySizes { get; } = [.. Sizes, VerifySize];

    public static bool HasGenerated => true;
    public double[] Point { get; private init; }

    public static GmmProblem Create(string size)
    {
        const string reassociated = ", Reassociate";
        bool reassociate = size.EndsWith(reassociated, StringComparison.Ordinal);
        (int n, int d, int k, double gamma, int m) = (reassociate ? size[..^reassociated.Length] : size) switch
        {
            "N = 1,000, D = 2, K = 5" => (1000, 2, 5, 1.0, 0),
            "N = 1,000, D = 10, K = 5" => (1000, 10, 5, 1.0, 0),
            "N = 1,000, D = 2, K = 50" => (1000, 2, 50, 1.0, 0),
            "N = 1,000, D = 10, K = 25" => (1000, 10, 25, 1.0, 0),
            "N = 1,000, D = 20, K = 10" => (1000, 20, 10, 1.0, 0),
            "N = 1,000, D = 64, K = 10" => (1000, 64, 10, 1.0, 0),
            VerifySize => (20, 3, 4, 0.7, 2),
            _ => throw new ArgumentException(size),
        };
        int icfSize = d * (d + 1) / 2;
        var random = new Random(5);
        var point = new double[k + k * d + k * icfSize];
        for (int i = 0; i < k; i++)
        {
            point[i] = ProblemHelpers.Normal(random);
        }

        for (int i = k; i < k + k * d; i++)
        {
            point[i] = random.NextDouble();
        }

        for (int i = k + k * d; i < point.Length; i++)
        {
            point[i] = ProblemHelpers.Normal(random);
        }

        var x = new double[n * d];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = ProblemHelpers.Normal(random);
        }

        // Every term that depends on no parameter: −N·D·½·log 2π − K·C with C = n'·D·(log γ − ½ log 2) − log Γ_D(n'/2).
        int dof = d + m + 1;
        double c = dof * d * (Math.Log(gamma) - 0.5 * Math.Log(2)) - LogMultivariateGamma(0.5 * dof, d);
        double constant = -n * d * 0.5 * Math.Log(2 * Math.PI) - k * c;

        return new GmmProblem
        {
            Point = point, _d = d, _k = k, _n = n, _icfSize = icfSize, _x = x, _gamma = gamma, _m = m, _constant = constant, _reassociate = reassociate,
            _qDiags = new double[k * d], _sumQs = new double[k], _centered = new double[k * d], _qCentered = new double[k * d],
            _mainTerm = new double[k], _dQDiags = new double[k * d], _sumWeights = new double[k],
            _vars = new Var[point.Length], _vQDiags = new Var[k * d], _vSumQs = new Var[k], _vCentered = new Var[d],
            _vQCentered = new Var[d], _vMainTerm = new Var[k],
        };
    }

    /// <summary>log Γ_p(a) = ¼p(p − 1)·log π + Σⱼ log Γ(a + ½(1 − j)), as ADBench's log_gamma_distrib.</summary>
    public static double LogMultivariateGamma(double a, int p)
    {
        double result = 0.25 * p * (p - 1) * Math.Log(Math.PI);
        for (int j = 1; j <= p; j++)
        {
            result += LogGamma(a + 0.5 * (1 - j));
        }

        return result;
    }

    /// <summary>log Γ(x) for x &gt; 0 (Lanczos, g = 7, 9 terms: about 15 digits).</summary>
    public static double LogGamma(double x)
    {
        ReadOnlySpan<double> c =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        double sum = c[0];
        for (int i = 1; i < 9; i++)
        {
            sum += c[i] / (x + i);
        }

        double t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }

    private readonly int AlphaCount => _k;
    private readonly int MeanCount => _k * _d;

    public readonly TorchExport Torch() =>
        new("gmm", [new("alphas", [_k]), new("means", [_k, _d]), new("icf", [_k, _icfSize])],
            new Dictionary<string, TorchArray> { ["x"] = TorchArray.Of(_x, _n, _d) },
            new Dictionary<string, double> { ["gamma"] = _gamma, ["m"] = _m, ["constant"] = _constant });

    /// <summary>
    /// 2 flops per multiply-add of the dense products a gradient needs, for every point and component: Qₖ(xᵢ − μₖ)
    /// (D(D + 1)/2: the diagonal and the lower triangle) and its two adjoint products (Qₖᵀȳ, and ȳ(xᵢ − μₖ)ᵀ on the
    /// triangle), D(D + 1)/2 each; ‖y‖² (D) and its adjoint (D).
    /// </summary>
    public static double GradientFlops(string size)
    {
        var p = Create(size);
        double perPair = 3 * (p._d * (p._d + 1) / 2.0) + 2 * p._d;
        return 2 * perPair * p._n * p._k;
    }

    public readonly double Value(ReadOnlySpan<double> p) =>
        Objectives.Gmm(p[.._k], p.Slice(_k, MeanCount), p[(_k + MeanCount)..], _x, _gamma, _m, _constant);

    /// <summary>
    /// The analytic gradient. With βᵢₖ = αₖ + Σ qₖ − ½‖yᵢₖ‖², yᵢₖ = Qₖ(xᵢ − μₖ) and wᵢₖ = softmaxₖ(βᵢ): ∂/∂αₖ = Σᵢ wᵢₖ −
    /// N·softmax(α)ₖ; ∂/∂μₖ = Σᵢ wᵢₖ Qₖᵀyᵢₖ; ∂/∂Lₖ[j, i] = −Σᵢ wᵢₖ yⱼ (xᵢ − μₖ)ᵢ + γ²Lₖ[j, i]; ∂/∂qₖd = Σᵢ wᵢₖ·(1 −
    /// yd·(xᵢ − μₖ)d·e^qₖd) + γ²e^(2qₖd) − m. One pass over the points, the forward values of a point kept for its
    /// reverse step.
    /// </summary>
    public readonly double Hand(ReadOnlySpan<double> p, Span<double> g)
    {
        int d = _d;
        int k = _k;
        int n = _n;
        int icfSize = _icfSize;
        ReadOnlySpan<double> alphas = p[..k];
        ReadOnlySpan<double> means = p.Slice(k, MeanCount);
        ReadOnlySpan<double> icf = p[(k + MeanCount)..];
        g.Clear();
        Span<double> dAlphas = g[..k];
        Span<double> dMeans = g.Slice(k, MeanCount);
        Span<double> dIcf = g[(k + MeanCount)..];
        Span<double> qDiags = _qDiags;
        Span<double> sumQs = _sumQs;
        Span<double> centered = _centered;
        Span<double> y = _qCentered;
        Span<double> beta = _mainTerm;
        Span<double> dQDiags = _dQDiags;
        Span<double> sumWeights = _sumWeights;
        dQDiags.Clear();
        sumWeights.Clear();

        for (int ik = 0; ik < k; ik++)
        {
            double s = 0;
            for (int id = 0; id < d; id++)
            {
                double q = icf[ik * icfSize + id];
                s += q;
                qDiags[ik * d + id] = Math.Exp(q);
            }

            sumQs[ik] = s;
        }

        double slse = 0;
        for (int ix = 0; ix < n; ix++)
        {
            ReadOnlySpan<double> xi = _x.AsSpan(ix * d, d);
            for (int ik = 0; ik < k; ik++)
            {
                Span<double> c = centered.Slice(ik * d, d);
                Span<double> yk = y.Slice(ik * d, d);
                ReadOnlySpan<double> mu = means.Slice(ik * d, d);
                ReadOnlySpan<double> qd = qDiags.Slice(ik * d, d);
                for (int id = 0; id < d; id++)
                {
                    c[id] = xi[id] - mu[id];
                    yk[id] = qd[id] * c[id];
                }

                ReadOnlySpan<double> lower = icf.Slice(ik * icfSize + d, icfSize - d);
                int li = 0;
                for (int i = 0; i < d; i++)
                {
                    double ci = c[i];
                    for (int j = i + 1; j < d; j++)
                    {
                        yk[j] += lower[li++] * ci;
                    }
                }

                double sqnorm = 0;
                for (int id = 0; id < d; id++)
                {
                    sqnorm += yk[id] * yk[id];
                }

                beta[ik] = alphas[ik] + sumQs[ik] - 0.5 * sqnorm;
            }

            double max = beta[0];
            for (int ik = 1; ik < k; ik++)
            {
                max = Math.Max(max, beta[ik]);
            }

            double sumExp = 0;
            for (int ik = 0; ik < k; ik++)
            {
                sumExp += Math.Exp(beta[ik] - max);
            }

            double lse = Math.Log(sumExp) + max;
            slse += lse;

            // reverse step of this point: ∂lse/∂βₖ = wₖ, ∂βₖ/∂y = −y
            for (int ik = 0; ik < k; ik++)
            {
                double w = Math.Exp(beta[ik] - lse);
                sumWeights[ik] += w;
                ReadOnlySpan<double> c = centered.Slice(ik * d, d);
                ReadOnlySpan<double> yk = y.Slice(ik * d, d);
                ReadOnlySpan<double> qd = qDiags.Slice(ik * d, d);
                Span<double> dMu = dMeans.Slice(ik * d, d);
                Span<double> dQd = dQDiags.Slice(ik * d, d);
                ReadOnlySpan<double> lower = icf.Slice(ik * icfSize + d, icfSize - d);
                Span<double> dLower = dIcf.Slice(ik * icfSize + d, icfSize - d);
                int li = 0;
                for (int i = 0; i < d; i++)
                {
                    double ci = c[i];
                    double ti = w * yk[i];
                    double qtY = qd[i] * ti;
                    dQd[i] -= ti * ci;
                    for (int j = i + 1; j < d; j++)
                    {
                        double tj = w * yk[j];
                        qtY += lower[li] * tj;
                        dLower[li] -= tj * ci;
                        li++;
                    }

                    dMu[i] += qtY;
                }
            }
        }

        double maxAlpha = alphas[0];
        for (int ik = 1; ik < k; ik++)
        {
            maxAlpha = Math.Max(maxAlpha, alphas[ik]);
        }

        double sumExpAlpha = 0;
        for (int ik = 0; ik < k; ik++)
        {
            sumExpAlpha += Math.Exp(alphas[ik] - maxAlpha);
        }

        double lseAlphas = Math.Log(sumExpAlpha) + maxAlpha;
        double gamma2 = _gamma * _gamma;
        double prior = 0;
        for (int ik = 0; ik < k; ik++)
        {
            dAlphas[ik] = sumWeights[ik] - n * Math.Exp(alphas[ik] - lseAlphas);
            double frobenius = 0;
            for (int id = 0; id < d; id++)
            {
                double qd = qDiags[ik * d + id];
                frobenius += qd * qd;
                dIcf[ik * icfSize + id] = dQDiags[ik * d + id] * qd + sumWeights[ik] + gamma2 * qd * qd - _m;
            }

            for (int l = d; l < icfSize; l++)
            {
                double v = icf[ik * icfSize + l];
                frobenius += v * v;
                dIcf[ik * icfSize + l] += gamma2 * v;
            }

            prior += 0.5 * gamma2 * frobenius - _m * sumQs[ik];
        }

        return _constant + slse - n * lseAlphas + prior;
    }

    /// <summary>The ADBench loops' gradient; for a size marked Reassociate, the same loops with Reassociate = true.</summary>
    public readonly double Generated(ReadOnlySpan<double> p, Span<double> g) => _reassociate
        ? Objectives.GmmReassociatedGradient(
            p[.._k], p.Slice(_k, MeanCount), p[(_k + MeanCount)..], _x, _gamma, _m, _constant,
            g[.._k], g.Slice(_k, MeanCount), g[(_k + MeanCount)..])
        : Objectives.GmmGradient(
            p[.._k], p.Slice(_k, MeanCount), p[(_k + MeanCount)..], _x, _gamma, _m, _constant,
            g[.._k], g.Slice(_k, MeanCount), g[(_k + MeanCount)..]);

    /// <summary>The value function written on <see cref="Var"/>, recorded whole and swept once.</summary>
    public readonly double Tape(ReadOnlySpan<double> p, Span<double> g)
    {
        Begin();
        Var[] v = _vars;
        Inputs(p, v);
        int d = _d;
        int k = _k;
        int n = _n;
        int icfSize = _icfSize;
        ReadOnlySpan<Var> alphas = v.AsSpan(0, k);
        ReadOnlySpan<Var> means = v.AsSpan(k, MeanCount);
        ReadOnlySpan<Var> icf = v.AsSpan(k + MeanCount);
        double[] x = _x;
        Span<Var> qDiags = _vQDiags;
        Span<Var> sumQs = _vSumQs;
        Span<Var> centered = _vCentered;
        Span<Var> qCentered = _vQCentered;
        Span<Var> mainTerm = _vMainTerm;

        for (int ik = 0; ik < k; ik++)
        {
            sumQs[ik] = 0.0;
            for (int id = 0; id < d; id++)
            {
                Var q = icf[ik * icfSize + id];
                sumQs[ik] += q;
                qDiags[ik * d + id] = VarMath.Exp(q);
            }
        }

        Var slse = 0.0;
        for (int ix = 0; ix < n; ix++)
        {
            for (int ik = 0; ik < k; ik++)
            {
                for (int id = 0; id < d; id++)
                {
                    centered[id] = x[ix * d + id] - means[ik * d + id];
                    qCentered[id] = qDiags[ik * d + id] * centered[id];
                }

                int li = ik * icfSize + d;
                for (int i = 0; i < d; i++)
                {
                    for (int j = i + 1; j < d; j++)
                    {
                        qCentered[j] += icf[li] * centered[i];
                        li++;
                    }
                }

                Var sqnorm = 0.0;
                for (int id = 0; id < d; id++)
                {
                    sqnorm += qCentered[id] * qCentered[id];
                }

                mainTerm[ik] = alphas[ik] + sumQs[ik] - 0.5 * sqnorm;
            }

            Var max = mainTerm[0];
            for (int ik = 1; ik < k; ik++)
            {
                max = VarMath.Max(max, mainTerm[ik]);
            }

            Var sumExp = 0.0;
            for (int ik = 0; ik < k; ik++)
            {
                sumExp += VarMath.Exp(mainTerm[ik] - max);
            }

            slse += VarMath.Log(sumExp) + max;
        }

        Var maxAlpha = alphas[0];
        for (int ik = 1; ik < k; ik++)
        {
            maxAlpha = VarMath.Max(maxAlpha, alphas[ik]);
        }

        Var sumExpAlpha = 0.0;
        for (int ik = 0; ik < k; ik++)
        {
            sumExpAlpha += VarMath.Exp(alphas[ik] - maxAlpha);
        }

        Var lseAlphas = VarMath.Log(sumExpAlpha) + maxAlpha;

        Var prior = 0.0;
        double gamma2 = _gamma * _gamma;
        for (int ik = 0; ik < k; ik++)
        {
            Var frobenius = 0.0;
            for (int id = 0; id < d; id++)
            {
                frobenius += qDiags[ik * d + id] * qDiags[ik * d + id];
            }

            for (int l = d; l < icfSize; l++)
            {
                frobenius += icf[ik * icfSize + l] * icf[ik * icfSize + l];
            }

            prior += 0.5 * gamma2 * frobenius - _m * sumQs[ik];
        }

        Var f = _constant + slse - n * lseAlphas + prior;
        Gradient(f, g);
        return f.Value;
    }
}
