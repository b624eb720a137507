namespace SymbolicGrad.Corpus;

/// <summary>
/// Negative log marginal likelihood of a Gaussian process with a squared-exponential kernel, hyperparameters in log
/// space, computed through a Cholesky factor held in a local matrix: once as double[,], once as jagged double[][].
/// </summary>
public static partial class GaussianProcess
{
    [Differentiable]
    public static double NegLogLikelihood(double logLength, double logSignal, double logNoise, [NoDerivative] double[] x, [NoDerivative] double[] y)
    {
        int n = x.Length;
        double ell2 = Math.Exp(2 * logLength);
        double sf2 = Math.Exp(2 * logSignal);
        double sn2 = Math.Exp(2 * logNoise);

        var K = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double d = x[i] - x[j];
                K[i, j] = sf2 * Math.Exp(-0.5 * d * d / ell2);
            }

            K[i, i] += sn2;
        }

        // Cholesky: K = L Lᵀ
        var L = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            double s = K[j, j];
            for (int k = 0; k < j; k++)
            {
                s -= L[j, k] * L[j, k];
            }

            L[j, j] = Math.Sqrt(s);
            for (int i = j + 1; i < n; i++)
            {
                double t = K[i, j];
                for (int k = 0; k < j; k++)
                {
                    t -= L[i, k] * L[j, k];
                }

                L[i, j] = t / L[j, j];
            }
        }

        // Forward substitution L z = y, so that yᵀ K⁻¹ y = |z|².
        var z = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = y[i];
            for (int k = 0; k < i; k++)
            {
                s -= L[i, k] * z[k];
            }

            z[i] = s / L[i, i];
        }

        double quad = 0, logDet = 0;
        for (int i = 0; i < n; i++)
        {
            quad += z[i] * z[i];
            logDet += 2 * Math.Log(L[i, i]);
        }

        return 0.5 * quad + 0.5 * logDet + 0.5 * n * Math.Log(2 * Math.PI);
    }

    private static double Kernel(double a, double b, double ell2, double sf2) => sf2 * Math.Exp(-0.5 * (a - b) * (a - b) / ell2);

    /// <summary>The same likelihood with jagged K and a lower-triangular jagged L, the kernel in a helper.</summary>
    [Differentiable]
    public static double NegLogLikelihoodJagged(double logLength, double logSignal, double logNoise, [NoDerivative] double[] x, [NoDerivative] double[] y)
    {
        int n = x.Length;
        double ell2 = Math.Exp(2 * logLength), sf2 = Math.Exp(2 * logSignal), sn2 = Math.Exp(2 * logNoise);
        var K = new double[n][];
        for (int i = 0; i < n; i++)
        {
            K[i] = new double[n];
            for (int j = 0; j < n; j++)
            {
                K[i][j] = Kernel(x[i], x[j], ell2, sf2) + (i == j ? sn2 : 0.0);
            }
        }

        var L = new double[n][];
        for (int i = 0; i < n; i++)
        {
            L[i] = new double[i + 1];
            for (int j = 0; j <= i; j++)
            {
                double s = K[i][j];
                for (int k = 0; k < j; k++)
                {
                    s -= L[i][k] * L[j][k];
                }

                L[i][j] = i == j ? Math.Sqrt(s) : s / L[j][j];
            }
        }

        double[] alpha = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = y[i];
            for (int k = 0; k < i; k++)
            {
                s -= L[i][k] * alpha[k];
            }

            alpha[i] = s / L[i][i];
        }

        double nll = 0.5 * alpha.Sum(a => a * a);
        for (int i = 0; i < n; i++)
        {
            nll += Math.Log(L[i][i]);
        }

        return nll + 0.5 * n * Math.Log(2 * Math.PI);
    }
}
