using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// ADBench's four objectives (GMM, bundle adjustment, hand tracking, LSTM) written as first drafts in several styles
/// each (red-team pass rt-adbench): jagged and flat arrays, spans and slices, static, generic and instance helpers,
/// small structs for vectors and rotations, logsumexp with a max shift, Rodrigues with its small-angle branch, per-step
/// arrays in the LSTM, a skinning loop with a 3×4 product helper. The drafts of one objective pack their parameters
/// alike, so their gradients (and Jacobians) must agree with each other, with numeric differences and with closed
/// forms of small cases; the residual forms are solved by Levenberg–Marquardt on small synthetic instances.
/// </summary>
public class AdbenchDraftTests
{
    private static Type Compile(string members) => Expect.Compiles("using System.Collections.Generic;\nusing System.Linq;\nusing System.Numerics;\n" + Harness.InClass(members)).GetType("Demo.C")!;

    /// <summary>Calls the overload whose parameter types are those of the arguments (a jagged parameter's factory has two).</summary>
    private static T Call<T>(Type type, string name, params object[] arguments) =>
        (T)type.GetMethod(name, BindingFlags.Public | BindingFlags.Static, arguments.Select(a => a.GetType()).ToArray())!.Invoke(null, arguments)!;

    private static double[] Gradient(DifferentiableFunction f, double[] x, out double value)
    {
        var g = new double[x.Length];
        value = f.ValueAndGradient(x, g);
        return g;
    }

    private static void Close(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    private static double[] RandomVector(Random random, int n, double scale = 1) => Enumerable.Range(0, n).Select(_ => scale * ((2 * random.NextDouble()) - 1)).ToArray();

    // ---------------------------------------------------------------- GMM

    private const string GmmDrafts = """
            // Draft 1: jagged arrays, a LINQ Max in the logsumexp helper, Q·(x − μ) built in a new array per component.
            [Differentiable(Hessian = true)]
            public static double GmmJagged(double[] alphas, double[][] means, double[][] icf, [NoDerivative] double[][] x, [NoDerivative] double wishartGamma, [NoDerivative] int wishartM)
            {
                int k = alphas.Length, d = x[0].Length, n = x.Length;
                double total = 0;
                var terms = new double[k];
                for (int i = 0; i < n; i++)
                {
                    for (int c = 0; c < k; c++)
                    {
                        double sumQ = 0;
                        for (int j = 0; j < d; j++) sumQ += icf[c][j];
                        var xc = new double[d];
                        for (int j = 0; j < d; j++) xc[j] = x[i][j] - means[c][j];
                        var qx = new double[d];
                        for (int j = 0; j < d; j++) qx[j] = Math.Exp(icf[c][j]) * xc[j];
                        int li = d;
                        for (int col = 0; col < d; col++)
                            for (int row = col + 1; row < d; row++)
                                qx[row] += icf[c][li++] * xc[col];
                        double sq = 0;
                        foreach (var v in qx) sq += v * v;
                        terms[c] = alphas[c] + sumQ - 0.5 * sq;
                    }

                    total += LogSumExp(terms);
                }

                double prior = 0;
                for (int c = 0; c < k; c++)
                {
                    double fro = 0, sumQ = 0;
                    for (int j = 0; j < d; j++) { double e = Math.Exp(icf[c][j]); fro += e * e; sumQ += icf[c][j]; }
                    for (int j = d; j < icf[c].Length; j++) fro += icf[c][j] * icf[c][j];
                    prior += 0.5 * wishartGamma * wishartGamma * fro - wishartM * sumQ;
                }

                return total - n * LogSumExp(alphas) + prior;
            }

            static double LogSumExp(double[] v)
            {
                double m = v.Max();
                double s = 0;
                foreach (var e in v) s += Math.Exp(e - m);
                return m + Math.Log(s);
            }

            // Draft 2: flat arrays with index arithmetic, spans and slices for the helpers, logsumexp inlined with Math.Max.
            [Differentiable]
            public static double GmmFlat(ReadOnlySpan<double> alphas, ReadOnlySpan<double> means, ReadOnlySpan<double> icf, [NoDerivative] double[] x, [NoDerivative] int d, [NoDerivative] double wishartGamma, [NoDerivative] int wishartM)
            {
                int k = alphas.Length, n = x.Length / d, tri = d * (d + 1) / 2;
                Span<double> xc = stackalloc double[d];
                Span<double> qx = stackalloc double[d];
                Span<double> mains = stackalloc double[k];
                double slse = 0;
                for (int i = 0; i < n; i++)
                {
                    double mx = double.NegativeInfinity;
                    for (int c = 0; c < k; c++)
                    {
                        var q = icf.Slice(c * tri, tri);
                        Subtract(x.AsSpan(i * d, d), means.Slice(c * d, d), xc);
                        QTimes(q, xc, qx);
                        mains[c] = alphas[c] + SumDiag(q, d) - 0.5 * SqNorm(qx);
                        mx = Math.Max(mx, mains[c]);
                    }

                    double se = 0;
                    for (int c = 0; c < k; c++) se += Math.Exp(mains[c] - mx);
                    slse += mx + Math.Log(se);
                }

                double am = alphas[0];
                for (int c = 1; c < k; c++) if (alphas[c] > am) am = alphas[c];
                double ase = 0;
                for (int c = 0; c < k; c++) ase += Math.Exp(alphas[c] - am);
                double lseAlphas = am + Math.Log(ase);

                double prior = 0;
                for (int c = 0; c < k; c++)
                {
                    var q = icf.Slice(c * tri, tri);
                    double fro = 0;
                    for (int j = 0; j < d; j++) fro += Math.Exp(2 * q[j]);
                    fro += SqNorm(q.Slice(d));
                    prior += 0.5 * wishartGamma * wishartGamma * fro - wishartM * SumDiag(q, d);
                }

                return slse - n * lseAlphas + prior;
            }

            static void Subtract(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> result)
            {
                for (int j = 0; j < a.Length; j++) result[j] = a[j] - b[j];
            }

            static double SumDiag(ReadOnlySpan<double> q, int d)
            {
                double s = 0;
                for (int j = 0; j < d; j++) s += q[j];
                return s;
            }

            static double SqNorm(ReadOnlySpan<double> v)
            {
                double s = 0;
                for (int j = 0; j < v.Length; j++) s += v[j] * v[j];
                return s;
            }

            // Q = diag(exp(q[0..d])) + the strictly lower triangle, packed column by column after the diagonal.
            static void QTimes(ReadOnlySpan<double> q, ReadOnlySpan<double> v, Span<double> result)
            {
                int d = v.Length;
                for (int j = 0; j < d; j++) result[j] = Math.Exp(q[j]) * v[j];
                int li = d;
                for (int col = 0; col < d; col++)
                {
                    for (int row = col + 1; row < d; row++)
                    {
                        result[row] += q[li] * v[col];
                        li++;
                    }
                }
            }

            // Draft 3: generic helpers, a tuple-returning helper and a lower-triangular index function.
            [Differentiable(Hessian = true)]
            public static double GmmGeneric(double[] alphas, double[] means, double[] icf, [NoDerivative] double[][] x, [NoDerivative] double wishartGamma, [NoDerivative] int wishartM)
            {
                int k = alphas.Length, d = x[0].Length, tri = d * (d + 1) / 2;
                double total = 0;
                foreach (var xi in x)
                {
                    var main = new double[k];
                    for (int c = 0; c < k; c++)
                    {
                        var (logDet, quad) = Mahalanobis(icf, c * tri, means, c * d, xi);
                        main[c] = alphas[c] + logDet - Half(quad);
                    }

                    total += Lse(main);
                }

                double prior = 0;
                for (int c = 0; c < k; c++)
                {
                    for (int j = 0; j < d; j++) prior += Half(Sq(wishartGamma * Math.Exp(icf[c * tri + j]))) - wishartM * icf[c * tri + j];
                    for (int j = d; j < tri; j++) prior += Half(Sq(wishartGamma * icf[c * tri + j]));
                }

                return total - x.Length * Lse(alphas) + prior;
            }

            static T Sq<T>(T v) where T : INumber<T> => v * v;

            static T Half<T>(T v) where T : IFloatingPoint<T> => v / (T.One + T.One);

            static int Lower(int row, int col, int d) => d + col * (2 * d - col - 1) / 2 + (row - col - 1);

            static (double LogDet, double Quad) Mahalanobis(double[] icf, int qo, double[] means, int mo, double[] xi)
            {
                int d = xi.Length;
                double logDet = 0, quad = 0;
                for (int row = 0; row < d; row++)
                {
                    logDet += icf[qo + row];
                    double s = Math.Exp(icf[qo + row]) * (xi[row] - means[mo + row]);
                    for (int col = 0; col < row; col++) s += icf[qo + Lower(row, col, d)] * (xi[col] - means[mo + col]);
                    quad += Sq(s);
                }

                return (logDet, quad);
            }

            static double Lse(double[] v)
            {
                double m = double.NegativeInfinity;
                for (int i = 0; i < v.Length; i++) m = Math.Max(m, v[i]);
                return m + Math.Log(v.Sum(e => Math.Exp(e - m)));
            }
        """;

    /// <summary>
    /// Three GMM drafts pack (alphas, means, icf) alike: their values and gradients agree with each other, with
    /// numeric differences, and (K = D = 1) with the closed form; the Hessians of the two that ask for them pass a check.
    /// </summary>
    [Fact]
    public void GmmDraftsAgree()
    {
        var type = Compile(GmmDrafts);
        const double gamma = 1.3;
        const int m = 2;
        foreach (var (k, d, n) in new[] { (1, 1, 3), (3, 2, 5), (2, 4, 6) })
        {
            var random = new Random((k * 100) + d);
            int tri = d * (d + 1) / 2;
            var x = Enumerable.Range(0, n).Select(_ => RandomVector(random, d, 2)).ToArray();
            double[] point = RandomVector(random, k + (k * d) + (k * tri), 0.7);
            var jagged = Call<DifferentiableFunction>(type, "GmmJaggedObjective", k, k, d, k, tri, x, gamma, m);
            var flat = Call<DifferentiableFunction>(type, "GmmFlatObjective", k, k * d, k * tri, x.SelectMany(r => r).ToArray(), d, gamma, m);
            var generic = Call<DifferentiableFunction>(type, "GmmGenericObjective", k, k * d, k * tri, x, gamma, m);
            var g1 = Gradient(jagged, point, out double v1);
            var g2 = Gradient(flat, point, out double v2);
            var g3 = Gradient(generic, point, out double v3);
            Assert.Equal(v1, v2, 10);
            Assert.Equal(v1, v3, 10);
            Close(g1, g2, 1e-10, "flat");
            Close(g1, g3, 1e-10, "generic");
            foreach (var f in new[] { jagged, flat, generic })
            {
                var check = GradientCheck.Check(f, point, Expect.Tight);
                Assert.True(check.Passed, check.ToString());
            }

            foreach (var f in new[] { jagged, generic })
            {
                var check = GradientCheck.CheckHessian(f, point);
                Assert.True(check.Passed, check.ToString());
            }

            if (k == 1 && d == 1)
            {
                // f = Σᵢ (q − ½e^{2q}(xᵢ − μ)²) + ½γ²e^{2q} − m·q, with no dependence on α.
                double mu = point[1], q = point[2], e2 = Math.Exp(2 * q);
                double dMu = x.Sum(r => e2 * (r[0] - mu));
                double dQ = n - x.Sum(r => e2 * (r[0] - mu) * (r[0] - mu)) + (gamma * gamma * e2) - m;
                Close(new[] { 0, dMu, dQ }, g1, 1e-10, "closed form");
            }
        }
    }

    // ---------------------------------------------------------------- Bundle adjustment

    private const string BaDrafts = """
            public struct Vec3
            {
                public double X, Y, Z;
                public Vec3(double x, double y, double z) { X = x; Y = y; Z = z; }
                public static Vec3 operator +(Vec3 a, Vec3 b) => new Vec3(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
                public static Vec3 operator -(Vec3 a, Vec3 b) => new Vec3(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
                public static Vec3 operator *(double s, Vec3 a) => new Vec3(s * a.X, s * a.Y, s * a.Z);
                public double Dot(Vec3 o) => X * o.X + Y * o.Y + Z * o.Z;
                public Vec3 Cross(Vec3 o) => new Vec3(Y * o.Z - Z * o.Y, Z * o.X - X * o.Z, X * o.Y - Y * o.X);
                public double SquaredNorm => Dot(this);
            }

            static Vec3 Rodrigues(Vec3 rot, Vec3 p)
            {
                double theta2 = rot.SquaredNorm;
                if (theta2 != 0)
                {
                    double theta = Math.Sqrt(theta2);
                    double c = Math.Cos(theta), s = Math.Sin(theta);
                    Vec3 w = (1 / theta) * rot;
                    return c * p + s * w.Cross(p) + (w.Dot(p) * (1 - c)) * w;
                }

                return p + rot.Cross(p);
            }

            // Draft 1: flat arrays, a Vec3 struct with operators, the residuals of each observation then the weights'.
            [Differentiable]
            public static void BaFlat(double[] cams, double[] pts, double[] w, [NoDerivative] int[] obs, [NoDerivative] double[] feats, Span<double> err)
            {
                int p = w.Length;
                for (int i = 0; i < p; i++)
                {
                    int c = 11 * obs[2 * i], q = 3 * obs[2 * i + 1];
                    var rot = new Vec3(cams[c], cams[c + 1], cams[c + 2]);
                    var center = new Vec3(cams[c + 3], cams[c + 4], cams[c + 5]);
                    var X = Rodrigues(rot, new Vec3(pts[q], pts[q + 1], pts[q + 2]) - center);
                    double u = -X.X / X.Z, v = -X.Y / X.Z;
                    double rsq = u * u + v * v;
                    double L = 1 + cams[c + 9] * rsq + cams[c + 10] * rsq * rsq;
                    err[2 * i] = w[i] * (cams[c + 6] * L * u + cams[c + 7] - feats[2 * i]);
                    err[2 * i + 1] = w[i] * (cams[c + 6] * L * v + cams[c + 8] - feats[2 * i + 1]);
                }

                for (int i = 0; i < p; i++) err[2 * p + i] = 1 - w[i] * w[i];
            }

            // Draft 2: jagged cameras and points, a rotation matrix built from the axis-angle, a projection helper with span output.
            [Differentiable]
            public static void BaJagged(double[][] cams, double[][] pts, double[] w, [NoDerivative] int[] camIdx, [NoDerivative] int[] ptIdx, [NoDerivative] double[][] feats, Span<double> err)
            {
                int p = w.Length;
                Span<double> proj = stackalloc double[2];
                for (int i = 0; i < p; i++)
                {
                    Project(cams[camIdx[i]], pts[ptIdx[i]], proj);
                    err[2 * i] = w[i] * (proj[0] - feats[i][0]);
                    err[2 * i + 1] = w[i] * (proj[1] - feats[i][1]);
                    err[2 * p + i] = 1 - w[i] * w[i];
                }
            }

            static void Project(ReadOnlySpan<double> cam, ReadOnlySpan<double> X, Span<double> proj)
            {
                var R = new double[3, 3];
                AngleAxisToMatrix(cam.Slice(0, 3), R);
                Span<double> Xo = stackalloc double[3];
                for (int a = 0; a < 3; a++) Xo[a] = X[a] - cam[3 + a];
                Span<double> Xc = stackalloc double[3];
                for (int a = 0; a < 3; a++)
                {
                    Xc[a] = 0;
                    for (int b = 0; b < 3; b++) Xc[a] += R[a, b] * Xo[b];
                }

                double px = -Xc[0] / Xc[2], py = -Xc[1] / Xc[2];
                double r2 = px * px + py * py;
                double distortion = 1 + r2 * (cam[9] + cam[10] * r2);
                proj[0] = cam[6] * distortion * px + cam[7];
                proj[1] = cam[6] * distortion * py + cam[8];
            }

            // R = I + sinθ·K + (1 − cosθ)·K² for the unit axis; I + K(rot) to first order at θ = 0.
            static void AngleAxisToMatrix(ReadOnlySpan<double> r, double[,] R)
            {
                double t2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
                double s, oc;
                double kx = r[0], ky = r[1], kz = r[2];
                if (t2 > 0)
                {
                    double t = Math.Sqrt(t2);
                    kx /= t; ky /= t; kz /= t;
                    s = Math.Sin(t);
                    oc = 1 - Math.Cos(t);
                }
                else
                {
                    s = 1;
                    oc = 0;
                }

                R[0, 0] = 1 + oc * (-ky * ky - kz * kz); R[0, 1] = -s * kz + oc * kx * ky;        R[0, 2] = s * ky + oc * kx * kz;
                R[1, 0] = s * kz + oc * kx * ky;         R[1, 1] = 1 + oc * (-kx * kx - kz * kz); R[1, 2] = -s * kx + oc * ky * kz;
                R[2, 0] = -s * ky + oc * kx * kz;        R[2, 1] = s * kx + oc * ky * kz;         R[2, 2] = 1 + oc * (-kx * kx - ky * ky);
            }

            [Differentiable(Hessian = true)]
            public static double BaCost(double[] cams, double[] pts, double[] w, [NoDerivative] int[] obs, [NoDerivative] double[] feats)
            {
                Span<double> err = stackalloc double[3 * w.Length];
                BaFlat(cams, pts, w, obs, feats, err);
                double s = 0;
                for (int i = 0; i < err.Length; i++) s += err[i] * err[i];
                return 0.5 * s;
            }
        """;

    private sealed record BaInstance(int Cameras, int Points, int[] Obs, double[] Cams, double[] Pts, double[] Feats);

    /// <summary>Two cameras, four points, seven observations; the features are the true projections.</summary>
    private static BaInstance SyntheticBa(Random random, double rotationScale)
    {
        double[] cams =
        {
            0.1 * rotationScale, -0.05 * rotationScale, 0.02 * rotationScale, 0.2, -0.1, 6, 400, 2, -1, 0.02, -0.001,
            -0.08 * rotationScale, 0.03 * rotationScale, 0.1 * rotationScale, 1.1, 0.3, 5.5, 380, -3, 0.5, 0.01, 0.002,
        };
        double[] pts = RandomVector(random, 12);
        int[] obs = { 0, 0, 0, 1, 0, 2, 1, 0, 1, 1, 1, 3, 0, 3 };
        var feats = new double[obs.Length];
        for (int i = 0; i < obs.Length / 2; i++)
        {
            var p = ReferenceProjection(cams.AsSpan(11 * obs[2 * i], 11), pts.AsSpan(3 * obs[(2 * i) + 1], 3));
            feats[2 * i] = p.U;
            feats[(2 * i) + 1] = p.V;
        }

        return new BaInstance(2, 4, obs, cams, pts, feats);
    }

    /// <summary>The ADBench projection, in plain C# (the rotation through the matrix exponential of the cross-product matrix by its series).</summary>
    private static (double U, double V) ReferenceProjection(ReadOnlySpan<double> cam, ReadOnlySpan<double> x)
    {
        double[] p = { x[0] - cam[3], x[1] - cam[4], x[2] - cam[5] };
        double[] term = (double[])p.Clone(), sum = (double[])p.Clone();
        for (int k = 1; k < 30; k++)
        {
            // term ← (rot × term) / k
            double[] next = { ((cam[1] * term[2]) - (cam[2] * term[1])) / k, ((cam[2] * term[0]) - (cam[0] * term[2])) / k, ((cam[0] * term[1]) - (cam[1] * term[0])) / k };
            term = next;
            for (int a = 0; a < 3; a++)
            {
                sum[a] += term[a];
            }
        }

        double u = -sum[0] / sum[2], v = -sum[1] / sum[2], r2 = (u * u) + (v * v);
        double l = 1 + (cam[9] * r2) + (cam[10] * r2 * r2);
        return ((cam[6] * l * u) + cam[7], (cam[6] * l * v) + cam[8]);
    }

    /// <summary>
    /// The flat and jagged BA residuals have the same Jacobian, which passes a check; its columns for the principal
    /// point are w·I and for the focal length w·(proj − x₀)/f (closed forms); the residuals vanish at the truth, from
    /// which the features came by an independent rotation (the exponential series); the cost's gradient is Jᵀr and its
    /// Hessian passes a check; Levenberg–Marquardt from a perturbed start brings the residuals to zero.
    /// </summary>
    [Fact]
    public void BundleAdjustmentDraftsAgreeAndSolve()
    {
        var type = Compile(BaDrafts);
        foreach (double scale in new[] { 1.0, 0.0 })
        {
            var random = new Random(7);
            var ba = SyntheticBa(random, scale);
            int p = ba.Obs.Length / 2;
            var flat = Call<LeastSquaresFunction>(type, "BaFlatLeastSquares", 22, 12, p, ba.Obs, ba.Feats, 3 * p);
            var camIdx = Enumerable.Range(0, p).Select(i => ba.Obs[2 * i]).ToArray();
            var ptIdx = Enumerable.Range(0, p).Select(i => ba.Obs[(2 * i) + 1]).ToArray();
            var feats = Enumerable.Range(0, p).Select(i => new[] { ba.Feats[2 * i], ba.Feats[(2 * i) + 1] }).ToArray();
            var jagged = Call<LeastSquaresFunction>(type, "BaJaggedLeastSquares", 2, 11, 4, 3, p, camIdx, ptIdx, feats, 3 * p);
            double[] truth = ba.Cams.Concat(ba.Pts).Concat(Enumerable.Repeat(1.0, p)).ToArray();
            int n = truth.Length;

            var r0 = new double[3 * p];
            flat.Residuals(truth, r0);
            Assert.All(r0, e => Assert.True(Math.Abs(e) < 1e-9, $"residual {e} at the truth"));

            // Without a rotation the start keeps none (the small-angle branch); the rest moves by 1 %.
            double[] x = truth.Select((v, i) => scale == 0 && i % 11 < 3 && i < 22 ? v : v + (0.01 * ((2 * random.NextDouble()) - 1) * (1 + Math.Abs(v)))).ToArray();
            var r1 = new double[3 * p];
            var r2 = new double[3 * p];
            var j1 = new double[3 * p * n];
            var j2 = new double[3 * p * n];
            flat.Jacobian(x, r1, j1);
            jagged.Jacobian(x, r2, j2);
            Close(r1, r2, 1e-12, "jagged residuals");
            Close(j1, j2, 1e-10, "jagged Jacobian");
            var check = GradientCheck.CheckJacobian(flat, x);
            Assert.True(check.Passed, check.ToString());
            check = GradientCheck.CheckJacobian(jagged, x);
            Assert.True(check.Passed, check.ToString());
            for (int i = 0; i < p; i++)
            {
                int c = 11 * ba.Obs[2 * i];
                double w = x[22 + 12 + i];
                for (int a = 0; a < 2; a++)
                {
                    int row = ((2 * i) + a) * n;
                    Assert.Equal(w, j1[row + c + 7 + a], 12);
                    Assert.Equal(0, j1[row + c + 8 - a]);
                    double proj = (r1[(2 * i) + a] / w) + ba.Feats[(2 * i) + a];
                    Assert.Equal(w * (proj - x[c + 7 + a]) / x[c + 6], j1[row + c + 6], 10);
                }

                Assert.Equal(-2 * w, j1[(((2 * p) + i) * n) + 22 + 12 + i]);
            }

            var cost = Call<DifferentiableFunction>(type, "BaCostObjective", 22, 12, p, ba.Obs, ba.Feats);
            var g = Gradient(cost, x, out double value);
            Assert.Equal(0.5 * r1.Sum(e => e * e), value, 12);
            var jtr = new double[n];
            for (int k = 0; k < n; k++)
            {
                for (int i = 0; i < 3 * p; i++)
                {
                    jtr[k] += j1[(i * n) + k] * r1[i];
                }
            }

            Close(jtr, g, 1e-9, "Jᵀr");
            if (scale != 0)
            {
                var hessian = GradientCheck.CheckHessian(cost, x);
                Assert.True(hessian.Passed, hessian.ToString());
            }

            foreach (var problem in new[] { flat, jagged })
            {
                var fit = new LevenbergMarquardt().Minimize(problem, x);
                Assert.True(fit.Success, fit.ToString());
                Assert.True(fit.SumOfSquares < 1e-16, fit.ToString());
            }
        }
    }

    // ---------------------------------------------------------------- Hand tracking

    private const string HandDrafts = """
            // R = Rx(a)·Ry(b)·Rz(c) into the 3×3 block of a 3×4 matrix, translation 0.
            static void EulerToRotation(double a, double b, double c, Span<double> m)
            {
                double ca = Math.Cos(a), sa = Math.Sin(a), cb = Math.Cos(b), sb = Math.Sin(b), cc = Math.Cos(c), sc = Math.Sin(c);
                m[0] = cb * cc; m[1] = -cb * sc; m[2] = sb; m[3] = 0;
                m[4] = ca * sc + sa * sb * cc; m[5] = ca * cc - sa * sb * sc; m[6] = -sa * cb; m[7] = 0;
                m[8] = sa * sc - ca * sb * cc; m[9] = sa * cc + ca * sb * sc; m[10] = ca * cb; m[11] = 0;
            }

            // The product of two rigid 3×4 matrices (each with an implied last row 0 0 0 1).
            static void Mul34(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c)
            {
                for (int i = 0; i < 3; i++)
                {
                    for (int j = 0; j < 4; j++)
                    {
                        double s = j == 3 ? a[4 * i + 3] : 0;
                        for (int k = 0; k < 3; k++) s += a[4 * i + k] * b[4 * k + j];
                        c[4 * i + j] = s;
                    }
                }
            }

            // Axis-angle to a row-major 3×3 rotation, I + [r]× to first order at 0.
            static void AngleAxis(double rx, double ry, double rz, Span<double> m)
            {
                double t2 = rx * rx + ry * ry + rz * rz;
                if (t2 < 1e-20)
                {
                    m[0] = 1; m[1] = -rz; m[2] = ry;
                    m[3] = rz; m[4] = 1; m[5] = -rx;
                    m[6] = -ry; m[7] = rx; m[8] = 1;
                    return;
                }

                double t = Math.Sqrt(t2), x = rx / t, y = ry / t, z = rz / t, s = Math.Sin(t), c = Math.Cos(t), oc = 1 - c;
                m[0] = c + x * x * oc;     m[1] = x * y * oc - z * s; m[2] = x * z * oc + y * s;
                m[3] = y * x * oc + z * s; m[4] = c + y * y * oc;     m[5] = y * z * oc - x * s;
                m[6] = z * x * oc - y * s; m[7] = z * y * oc + x * s; m[8] = c + z * z * oc;
            }

            // Draft 1: flat arrays, per-bone temporaries in the loop, the absolute transforms written into slices of one local array.
            [Differentiable]
            public static void HandFlat(double[] theta, [NoDerivative] int[] parents, [NoDerivative] double[] baseRel, [NoDerivative] double[] invBaseAbs,
                [NoDerivative] double[] baseVerts, [NoDerivative] double[] weights, [NoDerivative] int[] corr, [NoDerivative] double[] points, Span<double> err)
            {
                int nb = parents.Length;
                var abs = new double[12 * nb];
                var skin = new double[12 * nb];
                for (int b = 0; b < nb; b++)
                {
                    var rot = new double[12];
                    EulerToRotation(theta[6 + 3 * b], theta[7 + 3 * b], theta[8 + 3 * b], rot);
                    var rel = new double[12];
                    Mul34(baseRel.AsSpan(12 * b, 12), rot, rel);
                    if (parents[b] < 0) rel.CopyTo(abs.AsSpan(12 * b, 12));
                    else Mul34(abs.AsSpan(12 * parents[b], 12), rel, abs.AsSpan(12 * b, 12));
                    Mul34(abs.AsSpan(12 * b, 12), invBaseAbs.AsSpan(12 * b, 12), skin.AsSpan(12 * b, 12));
                }

                Span<double> g = stackalloc double[9];
                AngleAxis(theta[0], theta[1], theta[2], g);
                for (int i = 0; i < corr.Length; i++)
                {
                    int v = corr[i];
                    double x = baseVerts[3 * v], y = baseVerts[3 * v + 1], z = baseVerts[3 * v + 2];
                    double px = 0, py = 0, pz = 0;
                    for (int b = 0; b < nb; b++)
                    {
                        double wv = weights[v * nb + b];
                        if (wv == 0) continue;
                        var m = skin.AsSpan(12 * b, 12);
                        px += wv * (m[0] * x + m[1] * y + m[2] * z + m[3]);
                        py += wv * (m[4] * x + m[5] * y + m[6] * z + m[7]);
                        pz += wv * (m[8] * x + m[9] * y + m[10] * z + m[11]);
                    }

                    for (int a = 0; a < 3; a++)
                        err[3 * i + a] = points[3 * i + a] - (g[3 * a] * px + g[3 * a + 1] * py + g[3 * a + 2] * pz + theta[3 + a]);
                }
            }

            public struct V3
            {
                public double X, Y, Z;
                public V3(double x, double y, double z) { X = x; Y = y; Z = z; }
                public static V3 operator +(V3 a, V3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
                public static V3 operator *(double s, V3 a) => new(s * a.X, s * a.Y, s * a.Z);
            }

            // A rigid transform as a struct: rows of the rotation and the translation.
            public struct Rigid
            {
                public V3 R0, R1, R2, T;

                public static Rigid FromFlat(double[] m, int o) => new Rigid
                {
                    R0 = new V3(m[o], m[o + 1], m[o + 2]),
                    R1 = new V3(m[o + 4], m[o + 5], m[o + 6]),
                    R2 = new V3(m[o + 8], m[o + 9], m[o + 10]),
                    T = new V3(m[o + 3], m[o + 7], m[o + 11]),
                };

                public V3 Rotate(V3 p) => new(R0.X * p.X + R0.Y * p.Y + R0.Z * p.Z, R1.X * p.X + R1.Y * p.Y + R1.Z * p.Z, R2.X * p.X + R2.Y * p.Y + R2.Z * p.Z);

                public V3 Apply(V3 p) => Rotate(p) + T;

                public Rigid Then(Rigid inner)
                {
                    // this · inner: columns of inner's rotation through this rotation, then inner's translation.
                    var c0 = Rotate(new V3(inner.R0.X, inner.R1.X, inner.R2.X));
                    var c1 = Rotate(new V3(inner.R0.Y, inner.R1.Y, inner.R2.Y));
                    var c2 = Rotate(new V3(inner.R0.Z, inner.R1.Z, inner.R2.Z));
                    return new Rigid { R0 = new V3(c0.X, c1.X, c2.X), R1 = new V3(c0.Y, c1.Y, c2.Y), R2 = new V3(c0.Z, c1.Z, c2.Z), T = Apply(inner.T) };
                }
            }

            static Rigid Euler(double a, double b, double c)
            {
                var m = new double[12];
                EulerToRotation(a, b, c, m);
                return Rigid.FromFlat(m, 0);
            }

            // Draft 2: structs for the transforms, a local array of them, the skinning as a sum of struct values.
            [Differentiable]
            public static void HandStructs(double[] theta, [NoDerivative] int[] parents, [NoDerivative] double[] baseRel, [NoDerivative] double[] invBaseAbs,
                [NoDerivative] double[] baseVerts, [NoDerivative] double[] weights, [NoDerivative] int[] corr, [NoDerivative] double[] points, Span<double> err)
            {
                int nb = parents.Length;
                var abs = new Rigid[nb];
                var skin = new Rigid[nb];
                for (int b = 0; b < nb; b++)
                {
                    var rel = Rigid.FromFlat(baseRel, 12 * b).Then(Euler(theta[6 + 3 * b], theta[7 + 3 * b], theta[8 + 3 * b]));
                    abs[b] = parents[b] < 0 ? rel : abs[parents[b]].Then(rel);
                    skin[b] = abs[b].Then(Rigid.FromFlat(invBaseAbs, 12 * b));
                }

                var g = new double[9];
                AngleAxis(theta[0], theta[1], theta[2], g);
                var global = new Rigid { R0 = new V3(g[0], g[1], g[2]), R1 = new V3(g[3], g[4], g[5]), R2 = new V3(g[6], g[7], g[8]), T = new V3(theta[3], theta[4], theta[5]) };
                for (int i = 0; i < corr.Length; i++)
                {
                    int v = corr[i];
                    var rest = new V3(baseVerts[3 * v], baseVerts[3 * v + 1], baseVerts[3 * v + 2]);
                    var pos = new V3(0, 0, 0);
                    for (int b = 0; b < nb; b++) pos = pos + weights[v * nb + b] * skin[b].Apply(rest);
                    var q = global.Apply(pos);
                    err[3 * i] = points[3 * i] - q.X;
                    err[3 * i + 1] = points[3 * i + 1] - q.Y;
                    err[3 * i + 2] = points[3 * i + 2] - q.Z;
                }
            }

            // ½‖e‖² of the struct draft, with second derivatives.
            [Differentiable(Hessian = true)]
            public static double HandCost(double[] theta, [NoDerivative] int[] parents, [NoDerivative] double[] baseRel, [NoDerivative] double[] invBaseAbs,
                [NoDerivative] double[] baseVerts, [NoDerivative] double[] weights, [NoDerivative] int[] corr, [NoDerivative] double[] points)
            {
                var err = new double[3 * corr.Length];
                HandStructs(theta, parents, baseRel, invBaseAbs, baseVerts, weights, corr, points, err);
                double s = 0;
                for (int i = 0; i < err.Length; i++) s += err[i] * err[i];
                return 0.5 * s;
            }

            // Draft 3: 3×4 matrices as double[,], a helper that returns a new matrix, the bones' matrices in a jagged local.
            static double[,] Times(double[,] a, double[,] b)
            {
                var c = new double[3, 4];
                for (int i = 0; i < 3; i++)
                {
                    for (int j = 0; j < 4; j++)
                    {
                        c[i, j] = j == 3 ? a[i, 3] : 0.0;
                        for (int k = 0; k < 3; k++) c[i, j] += a[i, k] * b[k, j];
                    }
                }

                return c;
            }

            static double[,] Block(double[] m, int o)
            {
                var r = new double[3, 4];
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 4; j++)
                        r[i, j] = m[o + 4 * i + j];
                return r;
            }

            [Differentiable]
            public static void HandMatrices(double[] theta, [NoDerivative] int[] parents, [NoDerivative] double[] baseRel, [NoDerivative] double[] invBaseAbs,
                [NoDerivative] double[] baseVerts, [NoDerivative] double[] weights, [NoDerivative] int[] corr, [NoDerivative] double[] points, Span<double> err)
            {
                int nb = parents.Length;
                var abs = new double[nb][,];
                var skin = new double[nb][,];
                for (int b = 0; b < nb; b++)
                {
                    var e = new double[12];
                    EulerToRotation(theta[6 + 3 * b], theta[7 + 3 * b], theta[8 + 3 * b], e);
                    var rel = Times(Block(baseRel, 12 * b), Block(e, 0));
                    abs[b] = parents[b] < 0 ? rel : Times(abs[parents[b]], rel);
                    skin[b] = Times(abs[b], Block(invBaseAbs, 12 * b));
                }

                Span<double> g = stackalloc double[9];
                AngleAxis(theta[0], theta[1], theta[2], g);
                for (int i = 0; i < corr.Length; i++)
                {
                    int v = corr[i];
                    var pos = new double[3];
                    for (int b = 0; b < nb; b++)
                        for (int a = 0; a < 3; a++)
                            pos[a] += weights[v * nb + b] * (skin[b][a, 0] * baseVerts[3 * v] + skin[b][a, 1] * baseVerts[3 * v + 1] + skin[b][a, 2] * baseVerts[3 * v + 2] + skin[b][a, 3]);
                    for (int a = 0; a < 3; a++)
                        err[3 * i + a] = points[3 * i + a] - (g[3 * a] * pos[0] + g[3 * a + 1] * pos[1] + g[3 * a + 2] * pos[2] + theta[3 + a]);
                }
            }
        """;

    private sealed record HandInstance(int[] Parents, double[] BaseRel, double[] InvBaseAbs, double[] BaseVerts, double[] Weights, int[] Corr);

    /// <summary>A chain of three bones, each along y, turned about z; eight vertices weighted over the bones; twelve correspondences.</summary>
    private static HandInstance SyntheticHand(Random random)
    {
        int[] parents = { -1, 0, 1 };
        int nb = parents.Length;
        var baseRel = new double[12 * nb];
        var baseAbs = new double[12 * nb];
        var invBaseAbs = new double[12 * nb];
        for (int b = 0; b < nb; b++)
        {
            double angle = 0.2 * (b + 1), c = Math.Cos(angle), s = Math.Sin(angle);
            double[] m = { c, -s, 0, 0, s, c, 0, b == 0 ? 0 : 1, 0, 0, 1, 0.1 * b };
            m.CopyTo(baseRel, 12 * b);
            var abs = parents[b] < 0 ? m : Mul34(baseAbs.AsSpan(12 * parents[b], 12).ToArray(), m);
            abs.CopyTo(baseAbs, 12 * b);

            // The inverse of [R | t] is [Rᵀ | −Rᵀt].
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 3; j++)
                {
                    invBaseAbs[(12 * b) + (4 * i) + j] = abs[(4 * j) + i];
                }

                invBaseAbs[(12 * b) + (4 * i) + 3] = -((abs[i] * abs[3]) + (abs[4 + i] * abs[7]) + (abs[8 + i] * abs[11]));
            }
        }

        int nv = 8;
        var baseVerts = RandomVector(random, 3 * nv, 1.5);
        var weights = new double[nv * nb];
        for (int v = 0; v < nv; v++)
        {
            var w = Enumerable.Range(0, nb).Select(b => b == v % nb ? 0 : random.NextDouble()).ToArray();
            double sum = w.Sum();
            for (int b = 0; b < nb; b++)
            {
                weights[(v * nb) + b] = w[b] / sum;
            }
        }

        int[] corr = { 0, 1, 2, 3, 4, 5, 6, 7, 0, 3, 5, 2 };
        return new HandInstance(parents, baseRel, invBaseAbs, baseVerts, weights, corr);
    }

    private static double[] Mul34(double[] a, double[] b)
    {
        var c = new double[12];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                double s = j == 3 ? a[(4 * i) + 3] : 0;
                for (int k = 0; k < 3; k++)
                {
                    s += a[(4 * i) + k] * b[(4 * k) + j];
                }

                c[(4 * i) + j] = s;
            }
        }

        return c;
    }

    /// <summary>
    /// Three hand drafts (flat arrays with a 3×4 product helper, structs, double[,] matrices returned by a helper) have
    /// the same residuals and Jacobian, which passes a check; at the rest pose the residuals are the points less the
    /// rest vertices and the Jacobian's global columns are the closed forms [v]× and −I; Levenberg–Marquardt recovers
    /// a pose from the points it produces.
    /// </summary>
    [Fact]
    public void HandDraftsAgreeAndSolve()
    {
        var type = Compile(HandDrafts);
        var random = new Random(11);
        var hand = SyntheticHand(random);
        int nb = hand.Parents.Length, m = 3 * hand.Corr.Length, n = 6 + (3 * nb);
        var truth = RandomVector(random, n, 0.4);
        var zeroPoints = new double[m];
        var r = new double[m];
        Call<LeastSquaresFunction>(type, "HandFlatLeastSquares", n, hand.Parents, hand.BaseRel, hand.InvBaseAbs, hand.BaseVerts, hand.Weights, hand.Corr, zeroPoints, m).Residuals(truth, r);
        var points = r.Select(e => -e).ToArray();

        var drafts = new[] { "HandFlat", "HandStructs", "HandMatrices" }
            .Select(name => Call<LeastSquaresFunction>(type, name + "LeastSquares", n, hand.Parents, hand.BaseRel, hand.InvBaseAbs, hand.BaseVerts, hand.Weights, hand.Corr, points, m))
            .ToArray();

        // At the rest pose every skinning transform is the identity: the residuals are the points less the rest vertices,
        // ∂e/∂t = −I and ∂e/∂rₖ = −eₖ × v = v × eₖ, the columns of [v]×.
        var rest = new double[n];
        var j = new double[m * n];
        drafts[0].Jacobian(rest, r, j);
        for (int i = 0; i < hand.Corr.Length; i++)
        {
            int v = hand.Corr[i];
            double[] p = { hand.BaseVerts[3 * v], hand.BaseVerts[(3 * v) + 1], hand.BaseVerts[(3 * v) + 2] };
            double[,] cross = { { 0, -p[2], p[1] }, { p[2], 0, -p[0] }, { -p[1], p[0], 0 } };
            for (int a = 0; a < 3; a++)
            {
                Assert.Equal(points[(3 * i) + a] - p[a], r[(3 * i) + a], 12);
                for (int k = 0; k < 3; k++)
                {
                    Assert.Equal(cross[a, k], j[(((3 * i) + a) * n) + k], 12);
                    Assert.Equal(a == k ? -1 : 0, j[(((3 * i) + a) * n) + 3 + k]);
                }
            }
        }

        var x = truth.Select(v => v + (0.05 * ((2 * random.NextDouble()) - 1))).ToArray();
        var r0 = new double[m];
        var j0 = new double[m * n];
        drafts[0].Jacobian(x, r0, j0);
        foreach (var draft in drafts)
        {
            var ri = new double[m];
            var ji = new double[m * n];
            draft.Jacobian(x, ri, ji);
            Close(r0, ri, 1e-12, draft.Name + " residuals");
            Close(j0, ji, 1e-10, draft.Name + " Jacobian");
            var check = GradientCheck.CheckJacobian(draft, x);
            Assert.True(check.Passed, check.ToString());
            var fit = new LevenbergMarquardt().Minimize(draft, x);
            Assert.True(fit.Success && fit.SumOfSquares < 1e-18, fit.ToString());
        }

        // The cost through the struct draft: its gradient is Jᵀe, and its Hessian passes a check.
        var cost = Call<DifferentiableFunction>(type, "HandCostObjective", n, hand.Parents, hand.BaseRel, hand.InvBaseAbs, hand.BaseVerts, hand.Weights, hand.Corr, points);
        var g = Gradient(cost, x, out double value);
        Assert.Equal(0.5 * r0.Sum(e => e * e), value, 12);
        var jte = new double[n];
        for (int k = 0; k < n; k++)
        {
            for (int i = 0; i < m; i++)
            {
                jte[k] += j0[(i * n) + k] * r0[i];
            }
        }

        Close(jte, g, 1e-10, "Jᵀe");
        var hessian = GradientCheck.CheckHessian(cost, x);
        Assert.True(hessian.Passed, hessian.ToString());
    }

    // ---------------------------------------------------------------- LSTM

    private const string LstmDrafts = """
            static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

            // Draft 1: per-time-step arrays, the layers' states in local jagged arrays whose rows are replaced each step.
            [Differentiable(Hessian = true)]
            public static double LstmSteps(double[] main, double[] extra, [NoDerivative] double[] state, [NoDerivative] double[][] seq)
            {
                int b = extra.Length / 3, l = main.Length / (8 * b), c = seq.Length;
                var h = new double[l][];
                var cell = new double[l][];
                for (int i = 0; i < l; i++)
                {
                    h[i] = new double[b];
                    cell[i] = new double[b];
                    for (int j = 0; j < b; j++)
                    {
                        h[i][j] = state[2 * i * b + j];
                        cell[i][j] = state[(2 * i + 1) * b + j];
                    }
                }

                double total = 0;
                int count = 0;
                for (int t = 0; t < c - 1; t++)
                {
                    var x = new double[b];
                    for (int j = 0; j < b; j++) x[j] = seq[t][j] * extra[j];
                    for (int i = 0; i < l; i++)
                    {
                        var hNew = new double[b];
                        var cNew = new double[b];
                        int o = i * 8 * b;
                        for (int j = 0; j < b; j++)
                        {
                            double f = Sigmoid(x[j] * main[o + j] + main[o + 4 * b + j]);
                            double ig = Sigmoid(h[i][j] * main[o + b + j] + main[o + 5 * b + j]);
                            double og = Sigmoid(x[j] * main[o + 2 * b + j] + main[o + 6 * b + j]);
                            double ch = Math.Tanh(h[i][j] * main[o + 3 * b + j] + main[o + 7 * b + j]);
                            cNew[j] = cell[i][j] * f + ig * ch;
                            hNew[j] = og * Math.Tanh(cNew[j]);
                        }

                        h[i] = hNew;
                        cell[i] = cNew;
                        x = hNew;
                    }

                    var y = new double[b];
                    for (int j = 0; j < b; j++) y[j] = x[j] * extra[b + j] + extra[2 * b + j];
                    double m = y.Max();
                    double s = 0;
                    for (int j = 0; j < b; j++) s += Math.Exp(y[j] - m);
                    double lse = m + Math.Log(s);
                    for (int j = 0; j < b; j++) total += seq[t + 1][j] * (y[j] - lse);
                    count += b;
                }

                return -total / count;
            }

            // Draft 2: ADBench's C layout: the state copied into one local array, a cell helper that updates slices in place,
            // the layer input re-pointed at the hidden slice each layer wrote.
            static void Cell(ReadOnlySpan<double> w, ReadOnlySpan<double> bias, Span<double> hidden, Span<double> cell, ReadOnlySpan<double> input)
            {
                int b = hidden.Length;
                for (int j = 0; j < b; j++)
                {
                    double forget = Sigmoid(input[j] * w[j] + bias[j]);
                    double ingate = Sigmoid(hidden[j] * w[b + j] + bias[b + j]);
                    double outgate = Sigmoid(input[j] * w[2 * b + j] + bias[2 * b + j]);
                    double change = Math.Tanh(hidden[j] * w[3 * b + j] + bias[3 * b + j]);
                    cell[j] = cell[j] * forget + ingate * change;
                    hidden[j] = outgate * Math.Tanh(cell[j]);
                }
            }

            [Differentiable]
            public static double LstmSlices(ReadOnlySpan<double> main, ReadOnlySpan<double> extra, [NoDerivative] double[] state, [NoDerivative] double[] seq)
            {
                int b = extra.Length / 3, l = main.Length / (8 * b), c = seq.Length / b;
                var s = new double[state.Length];
                state.CopyTo(s, 0);
                Span<double> x2 = stackalloc double[b];
                Span<double> ypred = stackalloc double[b];
                double total = 0;
                int count = 0;
                for (int t = 0; t < c - 1; t++)
                {
                    for (int j = 0; j < b; j++) x2[j] = seq[t * b + j] * extra[j];
                    ReadOnlySpan<double> xp = x2;
                    for (int i = 0; i < l; i++)
                    {
                        Cell(main.Slice(i * 8 * b, 4 * b), main.Slice(i * 8 * b + 4 * b, 4 * b), s.AsSpan(i * 2 * b, b), s.AsSpan(i * 2 * b + b, b), xp);
                        xp = s.AsSpan(i * 2 * b, b);
                    }

                    for (int j = 0; j < b; j++) ypred[j] = xp[j] * extra[b + j] + extra[2 * b + j];
                    double mx = ypred[0];
                    for (int j = 1; j < b; j++) mx = Math.Max(mx, ypred[j]);
                    double se = 0;
                    for (int j = 0; j < b; j++) se += Math.Exp(ypred[j] - mx);
                    double lse = mx + Math.Log(se);
                    for (int j = 0; j < b; j++) total += seq[(t + 1) * b + j] * (ypred[j] - lse);
                    count += b;
                }

                return -total / count;
            }

            // Draft 3: LINQ and helpers that return new arrays.
            static double[] Gate(double[] a, double[] w, int wo, double[] bias, int bo, Func<double, double> act) =>
                a.Select((v, j) => act(v * w[wo + j] + bias[bo + j])).ToArray();

            [Differentiable]
            public static double LstmLinq(double[] main, double[] extra, [NoDerivative] double[] state, [NoDerivative] double[][] seq)
            {
                int b = extra.Length / 3, l = main.Length / (8 * b);
                var hs = new double[l][];
                var cs = new double[l][];
                for (int i = 0; i < l; i++)
                {
                    hs[i] = state.Skip(2 * i * b).Take(b).ToArray();
                    cs[i] = state.Skip((2 * i + 1) * b).Take(b).ToArray();
                }

                double loss = 0;
                for (int t = 0; t + 1 < seq.Length; t++)
                {
                    double[] x = seq[t].Zip(extra, (v, e) => v * e).ToArray();
                    for (int i = 0; i < l; i++)
                    {
                        int o = 8 * b * i;
                        var f = Gate(x, main, o, main, o + 4 * b, Sigmoid);
                        var ig = Gate(hs[i], main, o + b, main, o + 5 * b, Sigmoid);
                        var og = Gate(x, main, o + 2 * b, main, o + 6 * b, Sigmoid);
                        var ch = Gate(hs[i], main, o + 3 * b, main, o + 7 * b, Math.Tanh);
                        cs[i] = cs[i].Select((cv, j) => cv * f[j] + ig[j] * ch[j]).ToArray();
                        hs[i] = og.Zip(cs[i], (g, cv) => g * Math.Tanh(cv)).ToArray();
                        x = hs[i];
                    }

                    var y = x.Select((v, j) => v * extra[b + j] + extra[2 * b + j]).ToArray();
                    double m = y.Max();
                    double lse = m + Math.Log(y.Sum(v => Math.Exp(v - m)));
                    loss += seq[t + 1].Zip(y, (s, v) => s * (v - lse)).Sum();
                }

                return -loss / ((seq.Length - 1) * b);
            }
        """;

    /// <summary>
    /// Three LSTM drafts agree in value and gradient, pass checks (the first also its Hessian), and the gradient in the
    /// output biases is the closed form −(1/count)·Σₜ (sₜ₊₁ − softmax(yₜ)·Σ sₜ₊₁) with yₜ from a plain forward pass here.
    /// </summary>
    [Fact]
    public void LstmDraftsAgree()
    {
        var type = Compile(LstmDrafts);
        foreach (var (l, b, c) in new[] { (1, 2, 3), (2, 3, 4) })
        {
            var random = new Random((10 * l) + b);
            var main = RandomVector(random, 8 * l * b, 0.8);
            var extra = RandomVector(random, 3 * b, 0.8);
            var state = RandomVector(random, 2 * l * b, 0.5);
            var seq = Enumerable.Range(0, c).Select(_ => RandomVector(random, b)).ToArray();
            double[] point = main.Concat(extra).ToArray();
            var steps = Call<DifferentiableFunction>(type, "LstmStepsObjective", main.Length, extra.Length, state, seq);
            var slices = Call<DifferentiableFunction>(type, "LstmSlicesObjective", main.Length, extra.Length, state, seq.SelectMany(r => r).ToArray());
            var linq = Call<DifferentiableFunction>(type, "LstmLinqObjective", main.Length, extra.Length, state, seq);
            var g1 = Gradient(steps, point, out double v1);
            var g2 = Gradient(slices, point, out double v2);
            var g3 = Gradient(linq, point, out double v3);
            Assert.Equal(v1, v2, 12);
            Assert.Equal(v1, v3, 12);
            Close(g1, g2, 1e-10, "slices");
            Close(g1, g3, 1e-10, "linq");
            foreach (var f in new[] { steps, slices, linq })
            {
                var check = GradientCheck.Check(f, point, Expect.Tight);
                Assert.True(check.Passed, check.ToString());
            }

            var hessian = GradientCheck.CheckHessian(steps, point);
            Assert.True(hessian.Passed, hessian.ToString());

            // A plain forward pass for the outputs yₜ, then the closed form in the output biases.
            var h = Enumerable.Range(0, l).Select(i => state.AsSpan(2 * i * b, b).ToArray()).ToArray();
            var cl = Enumerable.Range(0, l).Select(i => state.AsSpan(((2 * i) + 1) * b, b).ToArray()).ToArray();
            var expected = new double[b];
            double Sig(double z) => 1 / (1 + Math.Exp(-z));
            for (int t = 0; t < c - 1; t++)
            {
                var x = Enumerable.Range(0, b).Select(j => seq[t][j] * extra[j]).ToArray();
                for (int i = 0; i < l; i++)
                {
                    int o = 8 * b * i;
                    for (int j = 0; j < b; j++)
                    {
                        double f = Sig((x[j] * main[o + j]) + main[o + (4 * b) + j]);
                        double ig = Sig((h[i][j] * main[o + b + j]) + main[o + (5 * b) + j]);
                        double og = Sig((x[j] * main[o + (2 * b) + j]) + main[o + (6 * b) + j]);
                        double ch = Math.Tanh((h[i][j] * main[o + (3 * b) + j]) + main[o + (7 * b) + j]);
                        cl[i][j] = (cl[i][j] * f) + (ig * ch);
                        h[i][j] = og * Math.Tanh(cl[i][j]);
                    }

                    x = (double[])h[i].Clone();
                }

                var y = Enumerable.Range(0, b).Select(j => (x[j] * extra[b + j]) + extra[(2 * b) + j]).ToArray();
                double z = y.Sum(Math.Exp), mass = seq[t + 1].Sum();
                for (int j = 0; j < b; j++)
                {
                    expected[j] -= (seq[t + 1][j] - (Math.Exp(y[j]) / z * mass)) / ((c - 1) * b);
                }
            }

            Close(expected, g1.Skip(main.Length + (2 * b)).ToArray(), 1e-10, "output biases");
        }
    }

    // ---------------------------------------------------------------- Arrays of structs (found by the hand drafts)

    /// <summary>
    /// The hand draft with its bones' transforms in local arrays of a struct (var abs = new Rigid[nb]) was SG0006 ("An
    /// array of the struct 'Rigid' is not supported yet"). A local array of a struct of numbers is now held as one array
    /// per number, as arrays of tuples were, and every way C# writes an element works: members (ps[0].X = a), the
    /// whole element, compound assignment of a member, a copy, a mutating method called on the element, a ref local, a
    /// member of a nested struct, a helper that writes an element of the array it is given. With a, b:
    /// ps = [(2a, b), (ab, 1 + a + 2a), (3a, 3b)], segs[0] = ((2a, b), (3a, 2b)), so
    /// f = 13a² + 10b² + a²b² + (1 + 3a)² + 4ab, and its gradient and Hessian are the closed forms below.
    /// </summary>
    [Theory]
    [InlineData(0.6, -1.1)]
    [InlineData(-2.0, 0.3)]
    public void ElementsOfALocalArrayOfStructsAreVariables(double a, double b)
    {
        const string source = """
                public struct P
                {
                    public double X, Y;
                    public void Scale(double s) { X *= s; Y *= s; }
                    public readonly double Norm2 => X * X + Y * Y;
                }

                public struct Seg { public P A, B; }

                static void Bump(P[] ps, int i, double v) => ps[i].Y += v;

                [Differentiable(Hessian = true)]
                public static double F(double a, double b)
                {
                    var ps = new P[3];
                    ps[0].X = a;
                    ps[0].Y = b;
                    ps[1] = new P { X = a * b, Y = 1 };
                    ps[1].Y += a;
                    ps[2] = ps[0];
                    ps[2].Scale(3);
                    ref P r = ref ps[0];
                    r.X *= 2;
                    Bump(ps, 1, 2 * a);
                    var segs = new[] { new Seg { A = ps[0], B = ps[2] } };
                    segs[0].B.Y -= b;
                    double s = 0;
                    foreach (var p in ps) s += p.Norm2;
                    return s + segs[0].A.X * segs[0].B.Y;
                }
            """;
        double[] expected = { (26 * a) + (2 * a * b * b) + (6 * (1 + (3 * a))) + (4 * b), (20 * b) + (2 * a * a * b) + (4 * a) };
        Expect.Gradient(source, "F", new[] { a, b }, expected);
        var f = (DifferentiableFunction)Compile(source).GetMethod("FObjective")!.Invoke(null, null)!;
        var h = new double[4];
        f.Hessian(new[] { a, b }, h);
        Close(new[] { 26 + (2 * b * b) + 18, (4 * a * b) + 4, (4 * a * b) + 4, 20 + (2 * a * a) }, h, 1e-12, "Hessian");
    }

    /// <summary>
    /// An array of structs in a loop: each iteration reads an element an earlier one wrote (abs[parent[k]]) and
    /// replaces the array on a branch; the arrays are taped and restored like arrays of numbers. The chain
    /// pₖ = pₖ₋₁·(1 + wₖ) + wₖ from p₀ = (1, 2) gives Σ of X and Y at the end, checked against numeric differences and a
    /// plain loop here.
    /// </summary>
    [Fact]
    public void AnArrayOfStructsThroughALoop()
    {
        const string source = """
                public record struct Q(double X, double Y);

                [Differentiable]
                public static double F(double[] w, [NoDerivative] int[] parent, [NoDerivative] bool reset)
                {
                    int n = w.Length;
                    var qs = new Q[n + 1];
                    qs[0] = new Q(1, 2);
                    for (int k = 1; k <= n; k++)
                    {
                        var prev = qs[parent[k - 1]];
                        qs[k] = new Q(prev.X * (1 + w[k - 1]) + w[k - 1], prev.Y * (1 + w[k - 1]) - w[k - 1]);
                    }

                    if (reset) qs = new[] { qs[n] };
                    double s = 0;
                    for (int k = 0; k < qs.Length; k++) s += qs[k].X * qs[k].Y;
                    return s;
                }
            """;
        var type = Compile(source);
        int[] parent = { 0, 1, 1, 3 };
        double[] w = { 0.3, -0.2, 0.5, 0.1 };
        foreach (bool reset in new[] { false, true })
        {
            var f = Call<DifferentiableFunction>(type, "FObjective", w.Length, parent, reset);
            var check = GradientCheck.Check(f, w, Expect.Tight);
            Assert.True(check.Passed, check.ToString());

            double Plain(double[] v)
            {
                var xs = new double[v.Length + 1];
                var ys = new double[v.Length + 1];
                (xs[0], ys[0]) = (1, 2);
                for (int k = 1; k <= v.Length; k++)
                {
                    xs[k] = (xs[parent[k - 1]] * (1 + v[k - 1])) + v[k - 1];
                    ys[k] = (ys[parent[k - 1]] * (1 + v[k - 1])) - v[k - 1];
                }

                return reset ? xs[^1] * ys[^1] : xs.Zip(ys, (x, y) => x * y).Sum();
            }

            Assert.Equal(Plain(w), Gradient(f, w, out double value).Length == w.Length ? value : double.NaN, 12);
        }
    }

    private const string PointStruct = "    public struct P { public double X, Y; public void Scale(double s) { X *= s; Y *= s; } }\n";

    /// <summary>More uses of a local array of structs or tuples, each checked against Richardson differences at two points (and its Hessian where asked).</summary>
    [Theory]
    [InlineData("var ps = new P[2]; var qs = new P[2]; var r = a > 0 ? ps : qs; r[1].X = a * b; r[0].Scale(2); return ps[1].X + qs[1].X * 3;")]
    [InlineData("var ps = new P[2]; P[] qs = ps; qs[0].X = a; ps[0].Y = b; return ps[0].X * qs[0].Y;")]
    [InlineData("var ps = new P[2]; ps[0] = new P { X = a, Y = b }; for (int i = 0; i < 3; i++) { ps[1].X += ps[0].X * ps[0].Y; ps[0].Scale(1.5); } return ps[1].X;")]
    [InlineData("var pairs = new (double V, double W)[] { (a, 1), (b, 2) }; ref var p = ref pairs[1]; p.V *= a; return pairs[1].V + pairs[0].V;")]
    [InlineData("var ps = new P[2]; ps[0].X = a; var t = ps[0]; t.X = 5; return ps[0].X * b + t.X;")]
    [InlineData("var ps = new P[2]; ps[0].X = a; ps[1] = ps[0]; ps[0].X = b; return ps[1].X * 10 + ps[0].X;")]
    [InlineData("var ps = new P[2]; ps[0].X = a; ps[1].Y = b; return ps.Select(p => p.X * p.Y + p.X).Sum() + ps.Sum(p => p.Y * a);")]
    [InlineData("var ps = new P[2]; ps[0].X = a; var (x, y) = (ps[0].X, ps[0].Y); ps[0] = default; return x * b + ps[0].X;")]
    [InlineData("(double V, double W)[] ps = [(a, 1), (b, a)]; ps[0].W += b; return ps[0].V * ps[0].W + ps[1].V * ps[1].W;")]
    [InlineData("R[] rs = [new R { X = a, Inner = new P { X = b, Y = a } }, default]; rs[1].Inner.Y = a * b; rs[1].Inner.Scale(a); return rs[0].X * rs[0].Inner.X + rs[1].Inner.Y + rs.Length;")]
    [InlineData("var ps = new P[3]; for (int i = 0; i < 3; i++) { ps[i].X = a * i; ps[i].Y = b; ps[i].Scale(a); } double s = 0; foreach (var p in ps) s += p.X * p.Y; return s;", true)]
    public void ArrayOfStructsUses(string body, bool hessian = false)
    {
        var type = Compile(PointStruct + "    public struct R { public double X; public P Inner; }\n" + "    static void Set(ref P p, double v) { p.Y = v; }\n"
            + "    [Differentiable" + (hessian ? "(Hessian = true)" : string.Empty) + "] public static double F(double a, double b) { " + body + " }");
        var f = Call<DifferentiableFunction>(type, "FObjective");
        foreach (var x in new[] { new[] { 0.7, -1.3 }, new[] { -0.4, 0.9 } })
        {
            var check = GradientCheck.Check(f, x, Expect.Tight);
            Assert.True(check.Passed, check.ToString());
            if (hessian)
            {
                var h = GradientCheck.CheckHessian(f, x);
                Assert.True(h.Passed, h.ToString());
            }
        }
    }

    /// <summary>What a local array of structs still cannot do is one error at the construct, saying what to write.</summary>
    [Theory]
    [InlineData("var ps = new P[2]; ps[0].X = a; var s = [|ps[1..]|]; return s[0].X * b;", "SG0017", "index it with an int or ^k")]
    [InlineData("var ps = new P[2]; ps[0].X = a; var qs = new P[2]; [|ps|].CopyTo(qs, 0); return qs[0].X * b;", "SG0017", "copy, fill or reverse it with a loop")]
    [InlineData("var ps = new P[2]; ps[0].X = a; Array.Reverse([|ps|]); return ps[0].X * b;", "SG0017", "copy, fill or reverse it with a loop")]
    [InlineData("var ps = new P[2]; ps[0].X = a; Span<P> s = [|ps|]; s[0].Y = b; return ps[0].X * ps[0].Y;", "SG0017", "a span or another view of a local array", "index the array itself")]
    [InlineData("var ps = [|new P[,] { { new P { X = a }, new P { X = b } } }|]; return ps[0, 0].X * ps[0, 1].X;", "SG0006", "with more than one dimension")]
    [InlineData("var rows = [|new P[2][]|]; rows[0] = new P[2]; rows[1] = new P[1]; rows[0][1].X = a; rows[1][0].Y = b; return rows[0][1].X * rows[1][0].Y;", "SG0006", "An array of arrays of 'P'", "one flat P[]")]
    public void ArrayOfStructsRefusals(string body, string id, params string[] says) =>
        Expect.Refused(PointStruct + "    [Differentiable] public static double F(double a, double b) { " + body + " }", id, says);

    /// <summary>
    /// A local array of structs given to a helper's ReadOnlySpan parameter is one error at the argument, saying to take
    /// an array parameter (a jagged new P[2][] of them, rows[0][1].X = a, gave four errors, two of them a wrong SG0018
    /// "an array the method did not create"; it is now one SG0006 at the creation, above).
    /// </summary>
    [Fact]
    public void AnArrayOfStructsGivenToASpanParameter() => Expect.Refused(
        PointStruct + """
                static double Sum(ReadOnlySpan<P> ps) { double s = 0; for (int i = 0; i < ps.Length; i++) s += ps[i].X * ps[i].Y; return s; }
                [Differentiable] public static double F(double a, double b) { var ps = new[] { new P { X = a, Y = b }, new P { X = b, Y = 2 } }; return Sum([|ps|]); }
            """, "SG0017", "a span or another view of a local array of tuples or structs", "an array parameter (S[] ps)");

    // ---------------------------------------------------------------- More drafts: a model class, quaternions, tuple-returning cells

    private const string MoreDrafts = """
        public partial class GmmModel
        {
            [Trainable] public double[] Alphas = new double[0];
            [Trainable] public double[,] Means = new double[0, 0];
            [Trainable] public double[,] Icf = new double[0, 0];
            public double Gamma = 1.3;
            public int M = 2;

            double LogDetTerm(int k)
            {
                double s = 0;
                for (int j = 0; j < Means.GetLength(1); j++) s += Icf[k, j];
                return s;
            }

            static int Lower(int row, int col, int d) => d + col * (2 * d - col - 1) / 2 + (row - col - 1);

            static double LogSumExp(double[] v)
            {
                double m = v[0];
                for (int i = 1; i < v.Length; i++) if (v[i] > m) m = v[i];
                return m + Math.Log(v.Select(e => Math.Exp(e - m)).Sum());
            }

            // A draft that computes exp(q) once per component, before the loop over the points, in a double[,].
            [Differentiable(Hessian = true)]
            public double Loss([NoDerivative] double[,] x)
            {
                int n = x.GetLength(0), d = x.GetLength(1), kk = Alphas.Length;
                var qdiag = new double[kk, d];
                for (int k = 0; k < kk; k++)
                    for (int j = 0; j < d; j++)
                        qdiag[k, j] = Math.Exp(Icf[k, j]);
                double total = 0;
                var main = new double[kk];
                for (int i = 0; i < n; i++)
                {
                    for (int k = 0; k < kk; k++)
                    {
                        double quad = 0;
                        for (int row = 0; row < d; row++)
                        {
                            double s = qdiag[k, row] * (x[i, row] - Means[k, row]);
                            for (int col = 0; col < row; col++) s += Icf[k, Lower(row, col, d)] * (x[i, col] - Means[k, col]);
                            quad += s * s;
                        }

                        main[k] = Alphas[k] + LogDetTerm(k) - 0.5 * quad;
                    }

                    total += LogSumExp(main);
                }

                double prior = 0;
                for (int k = 0; k < kk; k++)
                {
                    for (int j = 0; j < d; j++) prior += 0.5 * Gamma * Gamma * qdiag[k, j] * qdiag[k, j] - M * Icf[k, j];
                    for (int j = d; j < Icf.GetLength(1); j++) prior += 0.5 * Gamma * Gamma * Icf[k, j] * Icf[k, j];
                }

                return total - n * LogSumExp(Alphas) + prior;
            }
        }

        public readonly struct Quat
        {
            public readonly double W, X, Y, Z;
            public Quat(double w, double x, double y, double z) { W = w; X = x; Y = y; Z = z; }
            public static Quat operator *(Quat a, Quat b) => new(
                a.W * b.W - a.X * b.X - a.Y * b.Y - a.Z * b.Z,
                a.W * b.X + a.X * b.W + a.Y * b.Z - a.Z * b.Y,
                a.W * b.Y - a.X * b.Z + a.Y * b.W + a.Z * b.X,
                a.W * b.Z + a.X * b.Y - a.Y * b.X + a.Z * b.W);
            public Quat Conjugate() => new(W, -X, -Y, -Z);

            public static Quat FromAngleAxis(double rx, double ry, double rz)
            {
                double t2 = rx * rx + ry * ry + rz * rz;
                if (t2 < 1e-16) return new Quat(1, 0.5 * rx, 0.5 * ry, 0.5 * rz);   // first order; |q| = 1 + O(θ²)
                double t = Math.Sqrt(t2);
                var (s, c) = Math.SinCos(0.5 * t);
                return new Quat(c, s * rx / t, s * ry / t, s * rz / t);
            }

            public (double X, double Y, double Z) Rotate(double x, double y, double z)
            {
                var r = this * new Quat(0, x, y, z) * Conjugate();
                return (r.X, r.Y, r.Z);
            }
        }

        public static partial class D
        {
            // Bundle adjustment with a quaternion struct, the camera read through a span slice and deconstructed.
            [Differentiable]
            public static void BaQuat(ReadOnlySpan<double> cams, ReadOnlySpan<double> pts, ReadOnlySpan<double> w, [NoDerivative] int[] obs, [NoDerivative] double[] feats, Span<double> err)
            {
                int p = w.Length;
                for (int i = 0; i < p; i++)
                {
                    var cam = cams.Slice(11 * obs[2 * i], 11);
                    var X = pts.Slice(3 * obs[2 * i + 1], 3);
                    var q = Quat.FromAngleAxis(cam[0], cam[1], cam[2]);
                    var (x, y, z) = q.Rotate(X[0] - cam[3], X[1] - cam[4], X[2] - cam[5]);
                    var (u, v) = (-x / z, -y / z);
                    double r2 = u * u + v * v, L = 1 + cam[9] * r2 + cam[10] * r2 * r2;
                    (err[2 * i], err[2 * i + 1]) = (w[i] * (cam[6] * L * u + cam[7] - feats[2 * i]), w[i] * (cam[6] * L * v + cam[8] - feats[2 * i + 1]));
                    err[2 * p + i] = 1 - w[i] * w[i];
                }
            }

            static double Sigmoid(double z) => 1.0 / (1.0 + Math.Exp(-z));

            // An LSTM cell that returns the new state as a tuple of arrays; the objective with Hessian = true.
            static (double[] H, double[] C) Cell(double[] main, int o, double[] input, double[] h, double[] c)
            {
                int b = h.Length;
                var hn = new double[b];
                var cn = new double[b];
                for (int j = 0; j < b; j++)
                {
                    double f = Sigmoid(input[j] * main[o + j] + main[o + 4 * b + j]);
                    double ig = Sigmoid(h[j] * main[o + b + j] + main[o + 5 * b + j]);
                    double og = Sigmoid(input[j] * main[o + 2 * b + j] + main[o + 6 * b + j]);
                    double ch = Math.Tanh(h[j] * main[o + 3 * b + j] + main[o + 7 * b + j]);
                    cn[j] = c[j] * f + ig * ch;
                    hn[j] = og * Math.Tanh(cn[j]);
                }

                return (hn, cn);
            }

            [Differentiable(Hessian = true)]
            public static double LstmTuples(double[] main, double[] extra, [NoDerivative] double[] state, [NoDerivative] double[][] seq)
            {
                int b = extra.Length / 3, l = main.Length / (8 * b);
                var hs = new double[l][];
                var cs = new double[l][];
                for (int i = 0; i < l; i++)
                {
                    hs[i] = state[(2 * i * b)..(2 * i * b + b)];
                    cs[i] = state[(2 * i * b + b)..(2 * i * b + 2 * b)];
                }

                double total = 0;
                for (int t = 0; t < seq.Length - 1; t++)
                {
                    var x = new double[b];
                    for (int j = 0; j < b; j++) x[j] = seq[t][j] * extra[j];
                    for (int i = 0; i < l; i++)
                    {
                        (hs[i], cs[i]) = Cell(main, 8 * b * i, x, hs[i], cs[i]);
                        x = hs[i];
                    }

                    var y = new double[b];
                    for (int j = 0; j < b; j++) y[j] = x[j] * extra[b + j] + extra[2 * b + j];
                    double lse = Math.Log(y.Sum(Math.Exp));
                    for (int j = 0; j < b; j++) total += seq[t + 1][j] * (y[j] - lse);
                }

                return -total / ((seq.Length - 1) * b);
            }
        }
        """;

    /// <summary>
    /// A GMM model class (Trainable double[,] members, an instance helper, exp(q) computed once into a local double[,])
    /// agrees with the jagged draft in value, gradient (members packed as the jagged rows) and Hessian; a quaternion BA
    /// draft has the flat draft's residuals and Jacobian; an LSTM whose cell returns a tuple of arrays agrees with the
    /// per-step draft, and its Hessian passes a check.
    /// </summary>
    [Fact]
    public void MoreDraftsAgree()
    {
        var assembly = Expect.Compiles("using System.Linq;\nusing System.Numerics;\n" + Harness.InClass(GmmDrafts + BaDrafts + LstmDrafts) + MoreDrafts);
        var c = assembly.GetType("Demo.C")!;
        var d = assembly.GetType("Demo.D")!;

        // GMM
        const int k = 3, dim = 3, n = 5, tri = dim * (dim + 1) / 2;
        var random = new Random(5);
        var xs = Enumerable.Range(0, n).Select(_ => RandomVector(random, dim, 2)).ToArray();
        var x2 = new double[n, dim];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < dim; j++)
            {
                x2[i, j] = xs[i][j];
            }
        }

        var model = Activator.CreateInstance(assembly.GetType("Demo.GmmModel")!)!;
        model.GetType().GetField("Alphas")!.SetValue(model, new double[k]);
        model.GetType().GetField("Means")!.SetValue(model, new double[k, dim]);
        model.GetType().GetField("Icf")!.SetValue(model, new double[k, tri]);
        var fModel = (DifferentiableFunction)model.GetType().GetMethod("LossObjective")!.Invoke(model, new object[] { x2 })!;
        var fJagged = Call<DifferentiableFunction>(c, "GmmJaggedObjective", k, k, dim, k, tri, xs, 1.3, 2);
        var point = RandomVector(random, k + (k * dim) + (k * tri), 0.7);
        var g1 = Gradient(fJagged, point, out double v1);
        var g2 = Gradient(fModel, point, out double v2);
        Assert.Equal(v1, v2, 10);
        Close(g1, g2, 1e-10, "model");
        var h1 = new double[point.Length * point.Length];
        var h2 = new double[point.Length * point.Length];
        fJagged.Hessian(point, h1);
        fModel.Hessian(point, h2);
        Close(h1, h2, 1e-9, "model Hessian");
        var hessian = GradientCheck.CheckHessian(fModel, point);
        Assert.True(hessian.Passed, hessian.ToString());

        // BA with quaternions
        foreach (double scale in new[] { 1.0, 0.0 })
        {
            var ba = SyntheticBa(new Random(7), scale);
            int p = ba.Obs.Length / 2;
            var flat = Call<LeastSquaresFunction>(c, "BaFlatLeastSquares", 22, 12, p, ba.Obs, ba.Feats, 3 * p);
            var quat = Call<LeastSquaresFunction>(d, "BaQuatLeastSquares", 22, 12, p, ba.Obs, ba.Feats, 3 * p);
            double[] x = ba.Cams.Concat(ba.Pts).Concat(Enumerable.Repeat(0.9, p)).Select((v, i) => scale == 0 && i < 22 && i % 11 < 3 ? v : v * (1 + (0.01 * Math.Sin(i)))).ToArray();
            var r1 = new double[3 * p];
            var r2 = new double[3 * p];
            var j1 = new double[3 * p * x.Length];
            var j2 = new double[3 * p * x.Length];
            flat.Jacobian(x, r1, j1);
            quat.Jacobian(x, r2, j2);
            Close(r1, r2, 1e-10, "quaternion residuals");
            Close(j1, j2, 1e-8, "quaternion Jacobian");
            var fit = new LevenbergMarquardt().Minimize(quat, x);
            Assert.True(fit.Success && fit.SumOfSquares < 1e-16, fit.ToString());
        }

        // LSTM with a tuple-returning cell
        const int l = 2, b = 3, steps = 4;
        var main = RandomVector(random, 8 * l * b, 0.8);
        var extra = RandomVector(random, 3 * b, 0.8);
        var state = RandomVector(random, 2 * l * b, 0.5);
        var seq = Enumerable.Range(0, steps).Select(_ => RandomVector(random, b)).ToArray();
        double[] lstmPoint = main.Concat(extra).ToArray();
        var fSteps = Call<DifferentiableFunction>(c, "LstmStepsObjective", main.Length, extra.Length, state, seq);
        var fTuples = Call<DifferentiableFunction>(d, "LstmTuplesObjective", main.Length, extra.Length, state, seq);
        var gs = Gradient(fSteps, lstmPoint, out double vs);
        var gt = Gradient(fTuples, lstmPoint, out double vt);
        Assert.Equal(vs, vt, 12);
        Close(gs, gt, 1e-10, "tuple cell");
        var hs = new double[lstmPoint.Length * lstmPoint.Length];
        var ht = new double[lstmPoint.Length * lstmPoint.Length];
        fSteps.Hessian(lstmPoint, hs);
        fTuples.Hessian(lstmPoint, ht);
        Close(hs, ht, 1e-9, "tuple cell Hessian");
    }
}
