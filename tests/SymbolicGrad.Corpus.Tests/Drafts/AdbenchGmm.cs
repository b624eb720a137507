// The ADBench GMM objective structured like ADBench's reference gmm.h (C++), ported to C#: helpers sqnorm, subtract,
// logsumexp, Qtimesx, preprocess_qs and log_wishart_prior taking slices of the parameter arrays and of local arrays.
// Two workarounds separate it from the natural draft in Pending/AdbenchGmm.cs (see the bug report there): helpers take
// Span<double> where ReadOnlySpan<double> is natural, and arrays are passed with an explicit AsSpan(); LogGamma has no
// reflection branch (its argument is at least 1/2 here), so it does not call itself.
namespace SymbolicGrad.Corpus;

public static partial class AdbenchGmm
{
    private static double ArrMax(Span<double> x)
    {
        double m = x[0];
        for (int i = 1; i < x.Length; i++)
        {
            if (m < x[i])
            {
                m = x[i];
            }
        }

        return m;
    }

    private static double Sqnorm(Span<double> x)
    {
        double res = x[0] * x[0];
        for (int i = 1; i < x.Length; i++)
        {
            res += x[i] * x[i];
        }

        return res;
    }

    private static void Subtract(Span<double> x, Span<double> y, Span<double> output)
    {
        for (int i = 0; i < x.Length; i++)
        {
            output[i] = x[i] - y[i];
        }
    }

    private static double LogSumExp(Span<double> x)
    {
        double mx = ArrMax(x);
        double semx = 0;
        for (int i = 0; i < x.Length; i++)
        {
            semx += Math.Exp(x[i] - mx);
        }

        return Math.Log(semx) + mx;
    }

    /// <summary>ln Γ(x) for x ≥ 1/2, Lanczos approximation (g = 7, n = 9).</summary>
    private static double LogGamma(double x)
    {
        double[] c =
        {
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        };
        x -= 1;
        double a = c[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++)
        {
            a += c[i] / (x + i);
        }

        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(a);
    }

    private static double LogGammaDistrib(double a, int p)
    {
        double res = 0.25 * p * (p - 1) * Math.Log(Math.PI);
        for (int j = 1; j <= p; j++)
        {
            res += LogGamma(a + 0.5 * (1 - j));
        }

        return res;
    }

    private static void PreprocessQs(int d, int k, Span<double> icf, Span<double> sumQs, Span<double> qdiags)
    {
        int icfSize = d * (d + 1) / 2;
        for (int ik = 0; ik < k; ik++)
        {
            sumQs[ik] = 0;
            for (int id = 0; id < d; id++)
            {
                double q = icf[ik * icfSize + id];
                sumQs[ik] += q;
                qdiags[ik * d + id] = Math.Exp(q);
            }
        }
    }

    private static void QTimesX(int d, Span<double> qdiag, Span<double> ltri, Span<double> x, Span<double> output)
    {
        for (int i = 0; i < d; i++)
        {
            output[i] = qdiag[i] * x[i];
        }

        int lparamIdx = 0;
        for (int i = 0; i < d; i++)
        {
            for (int j = i + 1; j < d; j++)
            {
                output[j] += ltri[lparamIdx] * x[i];
                lparamIdx++;
            }
        }
    }

    private static double LogWishartPrior(int p, int k, double gamma, int m, Span<double> sumQs, Span<double> qdiags, Span<double> icf)
    {
        int n = p + m + 1;
        int icfSize = p * (p + 1) / 2;
        double c = n * p * (Math.Log(gamma) - 0.5 * Math.Log(2)) - LogGammaDistrib(0.5 * n, p);
        double res = 0;
        for (int ik = 0; ik < k; ik++)
        {
            double frobenius = Sqnorm(qdiags.Slice(ik * p, p)) + Sqnorm(icf.Slice(ik * icfSize + p, icfSize - p));
            res += 0.5 * gamma * gamma * frobenius - m * sumQs[ik];
        }

        return res - k * c;
    }

    /// <summary>alphas (k), means (k × d), icf (k × d(d+1)/2: log-diagonal then the strict lower triangle); x is n × d.</summary>
    [Differentiable]
    public static double Objective(double[] alphas, double[] means, double[] icf,
        [NoDerivative] double[] x, [NoDerivative] int d, [NoDerivative] int k, [NoDerivative] double wishartGamma, [NoDerivative] int wishartM)
    {
        int n = x.Length / d;
        double constant = -n * d * 0.5 * Math.Log(2 * Math.PI);
        int icfSize = d * (d + 1) / 2;
        var qdiags = new double[d * k];
        var sumQs = new double[k];
        var xcentered = new double[d];
        var qxcentered = new double[d];
        var mainTerm = new double[k];

        PreprocessQs(d, k, icf.AsSpan(), sumQs.AsSpan(), qdiags.AsSpan());

        double slse = 0;
        for (int ix = 0; ix < n; ix++)
        {
            for (int ik = 0; ik < k; ik++)
            {
                Subtract(x.AsSpan(ix * d, d), means.AsSpan(ik * d, d), xcentered.AsSpan());
                QTimesX(d, qdiags.AsSpan(ik * d, d), icf.AsSpan(ik * icfSize + d), xcentered.AsSpan(), qxcentered.AsSpan());
                mainTerm[ik] = alphas[ik] + sumQs[ik] - 0.5 * Sqnorm(qxcentered.AsSpan());
            }

            slse += LogSumExp(mainTerm.AsSpan());
        }

        double lseAlphas = LogSumExp(alphas.AsSpan());
        return constant + slse - n * lseAlphas + LogWishartPrior(d, k, wishartGamma, wishartM, sumQs.AsSpan(), qdiags.AsSpan(), icf.AsSpan());
    }
}
