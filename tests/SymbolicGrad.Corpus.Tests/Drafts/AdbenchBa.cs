// ADBench bundle adjustment structured like ADBench's reference ba.h (C++), as written first: Rodrigues rotation with
// its small-angle branch, radial distortion, a per-observation helper returning a tuple, helpers taking
// ReadOnlySpan<double> fed slices (cams.AsSpan(o, n)) and stackalloc'd spans by implicit conversion. This draft was once
// refused (every implicit Span → ReadOnlySpan conversion at a helper call was SG0017); it replaced its rewritten
// variant (#9).
using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicGrad;

namespace SymbolicGrad.Corpus;

/// <summary>
/// Cameras have 11 parameters (Rodrigues rotation, center, focal length, principal point, two radial distortion
/// coefficients), points 3, and each observation a weight; the loss is the sum of squared weighted reprojection errors
/// plus the squared weight residuals 1 − w².
/// </summary>
public static partial class AdbenchBa
{
    private const int RotIdx = 0, CIdx = 3, FIdx = 6, X0Idx = 7, RadIdx = 9, CamSize = 11;

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

    private static (double, double, double) Cross(ReadOnlySpan<double> a, ReadOnlySpan<double> b) =>
        (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]);

    private static void RodriguesRotatePoint(ReadOnlySpan<double> rot, ReadOnlySpan<double> x, Span<double> rotated)
    {
        double sqtheta = Dot(rot, rot);
        if (sqtheta != 0)
        {
            double theta = Math.Sqrt(sqtheta);
            double costheta = Math.Cos(theta);
            double sintheta = Math.Sin(theta);
            double thetaInverse = 1.0 / theta;
            Span<double> w = stackalloc double[3];
            for (int i = 0; i < 3; i++)
            {
                w[i] = rot[i] * thetaInverse;
            }

            var (cx, cy, cz) = Cross(w, x);
            double tmp = (1 - costheta) * Dot(w, x);
            rotated[0] = x[0] * costheta + cx * sintheta + w[0] * tmp;
            rotated[1] = x[1] * costheta + cy * sintheta + w[1] * tmp;
            rotated[2] = x[2] * costheta + cz * sintheta + w[2] * tmp;
        }
        else
        {
            var (cx, cy, cz) = Cross(rot, x);
            rotated[0] = x[0] + cx;
            rotated[1] = x[1] + cy;
            rotated[2] = x[2] + cz;
        }
    }

    private static (double, double) RadialDistort(ReadOnlySpan<double> rad, double u, double v)
    {
        double rsq = u * u + v * v;
        double l = 1 + rad[0] * rsq + rad[1] * rsq * rsq;
        return (u * l, v * l);
    }

    private static (double ex, double ey) ReprojectionError(ReadOnlySpan<double> cam, ReadOnlySpan<double> point, double w, double fx, double fy)
    {
        Span<double> centered = stackalloc double[3];
        for (int i = 0; i < 3; i++)
        {
            centered[i] = point[i] - cam[CIdx + i];
        }

        Span<double> xcam = stackalloc double[3];
        RodriguesRotatePoint(cam.Slice(RotIdx, 3), centered, xcam);
        var (du, dv) = RadialDistort(cam.Slice(RadIdx, 2), xcam[0] / xcam[2], xcam[1] / xcam[2]);
        double px = du * cam[FIdx] + cam[X0Idx];
        double py = dv * cam[FIdx] + cam[X0Idx + 1];
        return (w * (px - fx), w * (py - fy));
    }

    [Differentiable]
    public static double SumOfSquares(double[] cams, double[] points, double[] weights,
        [NoDerivative] int[] camIdx, [NoDerivative] int[] ptIdx, [NoDerivative] double[] features)
    {
        double total = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            var cam = cams.AsSpan(camIdx[i] * CamSize, CamSize);
            var pt = points.AsSpan(ptIdx[i] * 3, 3);
            var (ex, ey) = ReprojectionError(cam, pt, weights[i], features[2 * i], features[2 * i + 1]);
            double we = 1 - weights[i] * weights[i];
            total += ex * ex + ey * ey + we * we;
        }

        return total;
    }
}
