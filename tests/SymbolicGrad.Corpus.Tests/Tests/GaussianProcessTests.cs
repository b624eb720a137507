namespace SymbolicGrad.Corpus.Tests;

public class GaussianProcessTests
{
    /// <summary>Gauss–Jordan inverse with partial pivoting: independent of the drafts' Cholesky.</summary>
    private static double[,] Inverse(double[,] a)
    {
        int n = a.GetLength(0);
        var m = new double[n, 2 * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                m[i, j] = a[i, j];
            }

            m[i, n + i] = 1;
        }

        for (int c = 0; c < n; c++)
        {
            int pivot = Enumerable.Range(c, n - c).MaxBy(r => Math.Abs(m[r, c]));
            for (int j = 0; j < 2 * n; j++)
            {
                (m[c, j], m[pivot, j]) = (m[pivot, j], m[c, j]);
            }

            double d = m[c, c];
            for (int j = 0; j < 2 * n; j++)
            {
                m[c, j] /= d;
            }

            for (int r = 0; r < n; r++)
            {
                if (r != c)
                {
                    double f = m[r, c];
                    for (int j = 0; j < 2 * n; j++)
                    {
                        m[r, j] -= f * m[c, j];
                    }
                }
            }
        }

        var inv = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                inv[i, j] = m[i, n + j];
            }
        }

        return inv;
    }

    /// <summary>∂NLL/∂θ = ½ tr((K⁻¹ − ααᵀ) ∂K/∂θ) with α = K⁻¹y (Rasmussen &amp; Williams, eq. 5.9).</summary>
    private static double[] ClosedForm(double[] theta, double[] x, double[] y)
    {
        int n = x.Length;
        double ell2 = Math.Exp(2 * theta[0]), sf2 = Math.Exp(2 * theta[1]), sn2 = Math.Exp(2 * theta[2]);
        var k = new double[n, n];
        var dLength = new double[n, n];
        var dSignal = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double r2 = (x[i] - x[j]) * (x[i] - x[j]);
                double se = sf2 * Math.Exp(-0.5 * r2 / ell2);
                k[i, j] = se + (i == j ? sn2 : 0);
                dLength[i, j] = se * r2 / ell2;
                dSignal[i, j] = 2 * se;
            }
        }

        var inv = Inverse(k);
        var alpha = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, n).Sum(j => inv[i, j] * y[j])).ToArray();
        double Trace(Func<int, int, double> dk)
        {
            double t = 0;
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    t += (inv[j, i] - alpha[j] * alpha[i]) * dk(i, j);
                }
            }

            return 0.5 * t;
        }

        return new[] { Trace((i, j) => dLength[i, j]), Trace((i, j) => dSignal[i, j]), Trace((i, j) => i == j ? 2 * sn2 : 0) };
    }

    [Theory]
    [InlineData(5, 0.1, -0.2, -1.0)]
    [InlineData(7, -0.4, 0.3, -0.5)]
    [InlineData(4, 0.6, 0.0, -2.0)]
    public void CholeskyInLocalMatricesRectangularAndJagged(int n, double logLength, double logSignal, double logNoise)
    {
        var x = Verify.Random(n, n, 2);
        var y = Verify.Random(n, n + 100);
        var theta = new[] { logLength, logSignal, logNoise };
        var expected = ClosedForm(theta, x, y);
        var rectangular = GaussianProcess.NegLogLikelihoodObjective(x, y);
        var jagged = GaussianProcess.NegLogLikelihoodJaggedObjective(x, y);
        Verify.Both(rectangular, theta, expected, 1e-8);
        Verify.Both(jagged, theta, expected, 1e-8);
        Assert.Equal(rectangular.Value(theta), jagged.Value(theta), 1e-12);
    }
}
