namespace SymbolicGrad.Corpus;

/// <summary>
/// A simplified ADBench hand tracker (hand.h): a chain of bones, each posed by two Euler angles on top of its base
/// relative transform (4 × 4), absolute transforms along the parents, linear blend skinning of the vertices, a global
/// angle-axis rotation and translation, and the squared distance to the observed points. Matrices are local double[,]
/// created by helpers; the per-bone transforms are held in jagged arrays of matrices.
/// </summary>
public static partial class AdbenchHand
{
    private static double[,] Identity4()
    {
        var m = new double[4, 4];
        for (int i = 0; i < 4; i++)
        {
            m[i, i] = 1;
        }

        return m;
    }

    private static double[,] MatMul(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), k = a.GetLength(1), m = b.GetLength(1);
        var c = new double[n, m];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < m; j++)
            {
                double s = 0;
                for (int l = 0; l < k; l++)
                {
                    s += a[i, l] * b[l, j];
                }

                c[i, j] = s;
            }
        }

        return c;
    }

    private static double[,] EulerToRotation(double tx, double ty, double tz)
    {
        double cx = Math.Cos(tx), sx = Math.Sin(tx), cy = Math.Cos(ty), sy = Math.Sin(ty), cz = Math.Cos(tz), sz = Math.Sin(tz);
        var rx = new double[,] { { 1, 0, 0 }, { 0, cx, -sx }, { 0, sx, cx } };
        var ry = new double[,] { { cy, 0, sy }, { 0, 1, 0 }, { -sy, 0, cy } };
        var rz = new double[,] { { cz, -sz, 0 }, { sz, cz, 0 }, { 0, 0, 1 } };
        return MatMul(rz, MatMul(ry, rx));
    }

    private static double[,] AngleAxisToRotation(double ax, double ay, double az)
    {
        double n = Math.Sqrt(ax * ax + ay * ay + az * az);
        if (n < 1e-4)
        {
            return new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
        }

        double x = ax / n, y = ay / n, z = az / n, s = Math.Sin(n), c = Math.Cos(n);
        return new double[,]
        {
            { x * x + (1 - x * x) * c, x * y * (1 - c) - z * s, x * z * (1 - c) + y * s },
            { x * y * (1 - c) + z * s, y * y + (1 - y * y) * c, y * z * (1 - c) - x * s },
            { x * z * (1 - c) - y * s, z * y * (1 - c) + x * s, z * z + (1 - z * z) * c },
        };
    }

    private static double[,] Homogeneous(double[,] r)
    {
        var m = Identity4();
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                m[i, j] = r[i, j];
            }
        }

        return m;
    }

    private static double[,] Block(double[] flat, int index)
    {
        var m = new double[4, 4];
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                m[i, j] = flat[index * 16 + i * 4 + j];
            }
        }

        return m;
    }

    /// <summary>theta: global rotation (3, angle-axis), translation (3), then flexion and abduction per bone.</summary>
    [Differentiable]
    public static double Objective(double[] theta, [NoDerivative] int[] parents, [NoDerivative] double[] baseRelatives,
        [NoDerivative] double[] inverseBaseAbsolutes, [NoDerivative] double[] basePositions, [NoDerivative] double[] weights,
        [NoDerivative] double[] points)
    {
        int bones = parents.Length;
        int vertices = basePositions.Length / 3;
        var absolutes = new double[bones][,];
        var transforms = new double[bones][,];
        for (int b = 0; b < bones; b++)
        {
            var pose = Homogeneous(EulerToRotation(0, theta[6 + 2 * b + 1], theta[6 + 2 * b]));
            var relative = MatMul(Block(baseRelatives, b), pose);
            absolutes[b] = parents[b] < 0 ? relative : MatMul(absolutes[parents[b]], relative);
            transforms[b] = MatMul(absolutes[b], Block(inverseBaseAbsolutes, b));
        }

        var global = AngleAxisToRotation(theta[0], theta[1], theta[2]);
        double err = 0;
        for (int v = 0; v < vertices; v++)
        {
            var skinned = new double[3];
            for (int b = 0; b < bones; b++)
            {
                double w = weights[v * bones + b];
                for (int i = 0; i < 3; i++)
                {
                    double s = transforms[b][i, 3];
                    for (int j = 0; j < 3; j++)
                    {
                        s += transforms[b][i, j] * basePositions[3 * v + j];
                    }

                    skinned[i] += w * s;
                }
            }

            for (int i = 0; i < 3; i++)
            {
                double world = theta[3 + i];
                for (int j = 0; j < 3; j++)
                {
                    world += global[i, j] * skinned[j];
                }

                double d = points[3 * v + i] - world;
                err += d * d;
            }
        }

        return err;
    }
}
