namespace SymbolicGrad.Benchmarks.Generated;

public static partial class Objectives
{
    /// <summary>
    /// The ADBench/GradBench GMM objective: the negative log-likelihood terms of N points under a mixture of K Gaussians
    /// in D dimensions, with a Wishart prior on the inverse covariances. <paramref name="alphas"/>: K unnormalized log
    /// weights; <paramref name="means"/>: K rows of D; <paramref name="icf"/>: K blocks of D(D+1)/2 inverse-covariance
    /// factors, each the D logs of the diagonal of Q then its strictly lower triangle column by column;
    /// <paramref name="x"/>: N rows of D. <paramref name="constant"/> is every term that depends on no parameter,
    /// −N·D·½·log 2π − K·C(γ, m, D) (it needs log Γ, computed once by the data set).
    /// Generated: <c>double GmmGradient(ReadOnlySpan&lt;double&gt; alphas, ReadOnlySpan&lt;double&gt; means,
    /// ReadOnlySpan&lt;double&gt; icf, double[] x, double wishartGamma, int wishartM, double constant,
    /// Span&lt;double&gt; dAlphas, Span&lt;double&gt; dMeans, Span&lt;double&gt; dIcf)</c>.
    /// </summary>
    [Differentiable]
    public static double Gmm(
        ReadOnlySpan<double> alphas, ReadOnlySpan<double> means, ReadOnlySpan<double> icf,
        [NoDerivative] double[] x, [NoDerivative] double wishartGamma, int wishartM, [NoDerivative] double constant)
    {
        int k = alphas.Length;
        int d = means.Length / k;
        int n = x.Length / d;
        int icfSize = d * (d + 1) / 2;
        Span<double> qDiags = stackalloc double[d * k];
        Span<double> sumQs = stackalloc double[k];
        Span<double> centered = stackalloc double[d];
        Span<double> qCentered = stackalloc double[d];
        Span<double> mainTerm = stackalloc double[k];

        // Q's diagonal is exp of its logs; their sum is log det Q.
        for (int ik = 0; ik < k; ik++)
        {
            sumQs[ik] = 0;
            for (int id = 0; id < d; id++)
            {
                double q = icf[ik * icfSize + id];
                sumQs[ik] += q;
                qDiags[ik * d + id] = Math.Exp(q);
            }
        }

        double slse = 0;
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

                double sqnorm = 0;
                for (int id = 0; id < d; id++)
                {
                    sqnorm += qCentered[id] * qCentered[id];
                }

                mainTerm[ik] = alphas[ik] + sumQs[ik] - 0.5 * sqnorm;
            }

            // log-sum-exp over the components, shifted by the largest term
            double max = mainTerm[0];
            for (int ik = 1; ik < k; ik++)
            {
                max = Math.Max(max, mainTerm[ik]);
            }

            double sumExp = 0;
            for (int ik = 0; ik < k; ik++)
            {
                sumExp += Math.Exp(mainTerm[ik] - max);
            }

            slse += Math.Log(sumExp) + max;
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

        // the Wishart prior: ½γ²‖Q‖²_F − m·log det Q per component
        double prior = 0;
        for (int ik = 0; ik < k; ik++)
        {
            double frobenius = 0;
            for (int id = 0; id < d; id++)
            {
                frobenius += qDiags[ik * d + id] * qDiags[ik * d + id];
            }

            for (int l = d; l < icfSize; l++)
            {
                frobenius += icf[ik * icfSize + l] * icf[ik * icfSize + l];
            }

            prior += 0.5 * wishartGamma * wishartGamma * frobenius - wishartM * sumQs[ik];
        }

        return constant + slse - n * lseAlphas + prior;
    }

    /// <summary>
    /// <see cref="Gmm"/> with <c>Reassociate = true</c> (its body inlined as a helper): the generated gradient also adds
    /// the sums of the reverse sweep's triangular product (and the forward's ‖·‖²) with SIMD kernels, in vector lanes, so
    /// its value and gradient may differ from the plain one's in the last bits.
    /// </summary>
    [Differentiable(Reassociate = true)]
    public static double GmmReassociated(
        ReadOnlySpan<double> alphas, ReadOnlySpan<double> means, ReadOnlySpan<double> icf,
        [NoDerivative] double[] x, [NoDerivative] double wishartGamma, int wishartM, [NoDerivative] double constant) =>
        Gmm(alphas, means, icf, x, wishartGamma, wishartM, constant);
}
