// The ADBench GMM objective structured like ADBench's reference gmm.h (C++), ported to C# as written first: helpers
// sqnorm, subtract, logsumexp, Qtimesx, preprocess_qs and log_wishart_prior taking ReadOnlySpan<double> inputs and
// Span<double> outputs, fed arrays, slices and stackalloc'd spans by implicit conversion; LogGamma with its reflection
// branch calling itself (it only ever receives data, so no derivative is needed). This draft was once refused (every
// implicit span conversion at a helper call was SG0017, the recursion SG0024); it replaced its rewritten variant (#9).
using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicGrad;

namespace SymbolicGrad.Corpus;

public static partial class AdbenchGmm
{
    private static double ArrMax(ReadOnlySpan<double> x)
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

    private static double Sqnorm(ReadOnlySpan<double> x)
    {
        double res = x[0] * x[0];
        for (int i = 1; i < x.Length; i++)
        {
            res += x[i] * x[i];
        }

        return res;
    }

    private static void Subtract(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> output)
    {
        for (int i = 0; i < x.Length; i++)
        {
            output[i] = x[i] - y[i];
        }
    }

    private static double LogSumExp(ReadOnlySpan<double> x)
    {
        double mx = ArrMax(x);
        double semx = 0;
        for (int i = 0; i < x.Length; i++)
        {
            semx += Math.Exp(x[i] - mx);
        }

        return Math.Log(semx) + mx;
    }

    /// <summary>ln Γ(x), Lanczos approximation (g = 7, n = 9), with the reflection formula below 1/2.</summary>
    private static double LogGamma(double x)
    {
        double[] c =
        {
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        };
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

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

    private static void PreprocessQs(int d, int k, ReadOnlySpan<double> icf, Span<double> sumQs, Span<double> qdiags)
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

    private static void QTimesX(int d, ReadOnlySpan<double> qdiag, ReadOnlySpan<double> ltri, ReadOnlySpan<double> x, Span<double> output)
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

    private static double LogWishartPrior(int p, int k, double gamma, int m, ReadOnlySpan<double> sumQs, ReadOnlySpan<double> qdiags, ReadOnlySpan<double> icf)
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

        PreprocessQs(d, k, icf, sumQs, qdiags);

        double slse = 0;
        for (int ix = 0; ix < n; ix++)
        {
            for (int ik = 0; ik < k; ik++)
            {
                Subtract(x.AsSpan(ix * d, d), means.AsSpan(ik * d, d), xcentered);
                QTimesX(d, qdiags.AsSpan(ik * d, d), icf.AsSpan(ik * icfSize + d), xcentered, qxcentered);
                mainTerm[ik] = alphas[ik] + sumQs[ik] - 0.5 * Sqnorm(qxcentered);
            }

            slse += LogSumExp(mainTerm);
        }

        double lseAlphas = LogSumExp(alphas);
        return constant + slse - n * lseAlphas + LogWishartPrior(d, k, wishartGamma, wishartM, sumQs, qdiags, icf);
    }
}
