namespace SymbolicGrad.Corpus.Tests;

public class ClusteringTests
{
    private static double[] Distances(double[] centers, double[] p, int k)
    {
        int d = p.Length;
        return Enumerable.Range(0, k).Select(c => Enumerable.Range(0, d).Sum(j => (p[j] - centers[c * d + j]) * (p[j] - centers[c * d + j]))).ToArray();
    }

    [Theory]
    [InlineData(1, 2.0)]
    [InlineData(2, 0.5)]
    public void SoftKMeans(int seed, double beta)
    {
        const int k = 3, d = 2;
        var points = Verify.Rows(8, d, seed, 2);
        var centers = Verify.Random(k * d, seed + 50);
        // The soft-min is −log Σ exp(−β d_c) / β: ∂/∂center_c = mean over points of r_c · 2 (center_c − p), r = softmax(−β d).
        var g = new double[k * d];
        foreach (var p in points)
        {
            var r = Verify.Softmax(Distances(centers, p, k).Select(v => -beta * v).ToArray());
            for (int c = 0; c < k; c++)
            {
                for (int j = 0; j < d; j++)
                {
                    g[c * d + j] += r[c] * 2 * (centers[c * d + j] - p[j]) / points.Length;
                }
            }
        }

        Verify.Both(Clustering.SoftKMeansObjective(k * d, points, k, beta), centers, g);
    }

    [Theory]
    [InlineData(3, 1.0)]
    [InlineData(4, 0.3)]
    public void SoftAssignmentCostWithLinq(int seed, double beta)
    {
        const int k = 3, d = 2;
        var points = Verify.Rows(6, d, seed, 2);
        var centers = Verify.Random(k * d, seed + 60);
        // cost = Σ_p Σ_c r_c d_c: ∂cost/∂d_c = r_c (1 − β (d_c − Σ r d)), and ∂d_c/∂center_c = 2 (center_c − p).
        var g = new double[k * d];
        foreach (var p in points)
        {
            var dist = Distances(centers, p, k);
            var r = Verify.Softmax(dist.Select(v => -beta * v).ToArray());
            double mean = Enumerable.Range(0, k).Sum(c => r[c] * dist[c]);
            for (int c = 0; c < k; c++)
            {
                double dd = r[c] * (1 - beta * (dist[c] - mean));
                for (int j = 0; j < d; j++)
                {
                    g[c * d + j] += dd * 2 * (centers[c * d + j] - p[j]);
                }
            }
        }

        Verify.Both(Clustering.SoftAssignmentCostObjective(k * d, points, beta), centers, g);
    }
}
