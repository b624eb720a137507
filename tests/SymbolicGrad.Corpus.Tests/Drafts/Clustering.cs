namespace SymbolicGrad.Corpus;

/// <summary>Soft k-means: centers packed row-major (k × d), points as jagged rows.</summary>
public static partial class Clustering
{
    /// <summary>Mean soft-min (temperature 1/β) of each point's squared distances to the centers.</summary>
    [Differentiable]
    public static double SoftKMeans(double[] centers, [NoDerivative] double[][] points, [NoDerivative] int k, [NoDerivative] double beta)
    {
        int d = points[0].Length;
        double loss = 0;
        foreach (var p in points)
        {
            var dist = new double[k];
            for (int c = 0; c < k; c++)
            {
                double s = 0;
                for (int j = 0; j < d; j++)
                {
                    double diff = p[j] - centers[c * d + j];
                    s += diff * diff;
                }

                dist[c] = s;
            }

            double m = dist.Min();
            double z = 0;
            for (int c = 0; c < k; c++)
            {
                z += Math.Exp(-beta * (dist[c] - m));
            }

            loss += m - Math.Log(z) / beta;
        }

        return loss / points.Length;
    }

    /// <summary>Responsibilities times distances, both differentiated; written with LINQ.</summary>
    [Differentiable]
    public static double SoftAssignmentCost(double[] centers, [NoDerivative] double[][] points, [NoDerivative] double beta)
    {
        int d = points[0].Length;
        int k = centers.Length / d;
        double cost = 0;
        foreach (var p in points)
        {
            var dist = new double[k];
            for (int c = 0; c < k; c++)
            {
                dist[c] = Enumerable.Range(0, d).Sum(j => (p[j] - centers[c * d + j]) * (p[j] - centers[c * d + j]));
            }

            var w = dist.Select(v => Math.Exp(-beta * v)).ToArray();
            double total = w.Sum();
            for (int c = 0; c < k; c++)
            {
                cost += w[c] / total * dist[c];
            }
        }

        return cost;
    }
}
