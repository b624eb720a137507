namespace SymbolicGrad.Benchmarks.Generated;

public static partial class Objectives
{
    /// <summary>
    /// Reprojection residuals of bundle adjustment in the form of Snavely's Bundler and Ceres' BAL problems, written as a
    /// person writes it: each camera is 9 numbers (Rodrigues rotation ω, translation t, focal length f, radial distortion
    /// k₁, k₂), each point 3; observation k of point pointIndex[k] in camera cameraIndex[k] predicts
    /// f·(1 + k₁ρ² + k₂ρ⁴)·(−P.x/P.z, −P.y/P.z) with P = R(ω)X + t and ρ² = (P.x² + P.y²)/P.z².
    /// Generated: <c>BundleResidualsJacobian</c> and <c>BundleResidualsLeastSquares</c>.
    /// </summary>
    [Differentiable]
    public static void BundleResiduals(
        double[] cameras, double[] points,
        [NoDerivative] int[] cameraIndex, [NoDerivative] int[] pointIndex, [NoDerivative] double[] observed, Span<double> r)
    {
        for (int k = 0; k < cameraIndex.Length; k++)
        {
            int c = cameraIndex[k] * 9;
            int p = pointIndex[k] * 3;
            var (x, y, z) = Rotate(cameras[c], cameras[c + 1], cameras[c + 2], points[p], points[p + 1], points[p + 2]);
            x += cameras[c + 3];
            y += cameras[c + 4];
            z += cameras[c + 5];
            double u = -x / z;
            double v = -y / z;
            double rho2 = u * u + v * v;
            double distortion = 1 + rho2 * (cameras[c + 7] + cameras[c + 8] * rho2);
            r[2 * k] = cameras[c + 6] * distortion * u - observed[2 * k];
            r[2 * k + 1] = cameras[c + 6] * distortion * v - observed[2 * k + 1];
        }
    }

    /// <summary>Rodrigues' formula: X rotated by |ω| about ω/|ω| (to first order near ω = 0, as Ceres does).</summary>
    private static (double X, double Y, double Z) Rotate(double wx, double wy, double wz, double x, double y, double z)
    {
        double theta2 = wx * wx + wy * wy + wz * wz;
        if (theta2 > 1e-30)
        {
            double theta = Math.Sqrt(theta2);
            double kx = wx / theta, ky = wy / theta, kz = wz / theta;
            double cos = Math.Cos(theta), sin = Math.Sin(theta);
            double dot = (kx * x + ky * y + kz * z) * (1 - cos);
            return (x * cos + (ky * z - kz * y) * sin + kx * dot,
                    y * cos + (kz * x - kx * z) * sin + ky * dot,
                    z * cos + (kx * y - ky * x) * sin + kz * dot);
        }

        return (x + (wy * z - wz * y), y + (wz * x - wx * z), z + (wx * y - wy * x));
    }
}
