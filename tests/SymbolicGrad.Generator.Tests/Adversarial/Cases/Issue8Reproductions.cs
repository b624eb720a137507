namespace SymbolicGrad.Generator.Tests.Adversarial;

/// <summary>Every reproduction of issue #8 §1–§3, as the issue states it (checked at x = 0.7 there; here at random points too).</summary>
public static partial class AdversarialCases
{
    private static IEnumerable<AdversarialCase> Issue8Reproductions()
    {
        const string S1 = "issue 8 §1";
        const string S2 = "issue 8 §2";
        const string S3 = "issue 8 §3";

        // ---- §1: silently wrong ----
        // ref locals: the write through r must reach x (value 9x², not x²).
        yield return G("Ref_LocalToParameter", """
                [Differentiable] public static double F(double x) { ref double r = ref x; r = r * 3; return x * x; }
            """, x => [18 * x[0]], S1) with { Targets = [new Target { Closed = x => [18 * x[0]], Points = [[0.7]] }] };
        yield return G("Ref_LocalToLocal", """
                [Differentiable] public static double F(double x)
                {
                    double y = x * 2;
                    ref double r = ref y;
                    r += x;
                    return y * x;
                }
            """, x => [6 * x[0]], S1);
        yield return G("Ref_ToLocalArrayElement", """
                [Differentiable] public static double F(double x)
                {
                    var a = new double[2];
                    a[0] = x;
                    a[1] = 1;
                    ref double r = ref a[1];
                    r = r * x;
                    return a[0] * a[1];
                }
            """, x => [2 * x[0]], S1);
        yield return G("Ref_InsideLoop", """
                [Differentiable] public static double F(double x)
                {
                    double s = x;
                    for (int i = 0; i < 3; i++)
                    {
                        ref double r = ref s;
                        r = r * x;
                    }

                    return s;
                }
            """, x => [4 * Math.Pow(x[0], 3)], S1);

        // An array or span variable reassigned inside an if.
        yield return G("ArrayParameterReassignedInIf", """
                [Differentiable] public static double F(double[] x, double[] alt, bool useAlt)
                {
                    if (useAlt) x = alt;
                    return x[0] * x[0];
                }
            """, x => [0, 0, 0, 2 * x[3], 0, 0], S1) with
        {
            Targets =
            [
                new Target { Data = new Dictionary<string, string> { ["useAlt"] = "true" }, Closed = x => [0, 0, 0, 2 * x[3], 0, 0] },
                new Target { Data = new Dictionary<string, string> { ["useAlt"] = "false" }, Closed = x => [2 * x[0], 0, 0, 0, 0, 0] },
            ],
        };
        yield return G("ArrayLocalAliasReassignedInIf", """
                [Differentiable] public static double F(double[] x, double[] alt, bool c)
                {
                    double[] v = x;
                    if (c) v = alt;
                    return v[0] * v[1];
                }
            """, note: S1) with { Targets = [new Target { Closed = x => [0, 0, 0, x[4], x[3], 0] }] };
        yield return G("ReadOnlySpanParameterReassigned", """
                [Differentiable] public static double F(ReadOnlySpan<double> x, ReadOnlySpan<double> alt, bool c)
                {
                    if (c) x = alt;
                    return x[0] * x[0] + x[2];
                }
            """, note: S1) with { Targets = [new Target { Closed = x => [0, 0, 0, 2 * x[3], 0, 1] }] };

        // Conversions through other numeric types: exact, or SG0025 at the conversion.
        yield return E("ConversionThroughDecimal", "SG0025", """
                [Differentiable] public static double F(double x) => [|(double)(decimal)x|] * x;
            """, "decimal", "double") with { Note = S1 };

        // A differentiable value passed to a [NoDerivative] parameter of a [Differentiable] callee: propagated (the callee is inlined).
        yield return G("NoDerivativeParameterOfCalleeGetsADifferentiableValue", """
                [Differentiable] public static double G(double a, [NoDerivative] double b) => a * b;
                [Differentiable] public static double F(double x) => G(x, x);
            """, x => [2 * x[0]], S1);

        // virtual / override / new.
        yield return E("VirtualMethod", "SG0020", """
                [Differentiable] public virtual double [|F|](double x) => x * x;
            """, "virtual", "non-virtual") with { Wrapper = "public partial class C", Note = S1 };
        yield return E("OverrideMethod", "SG0020", Usings + "namespace $NS;\n" + """
                public partial class Base { public virtual double F(double x) => x * x; }
                public partial class C : Base
                {
                    [Differentiable] public override double [|F|](double x) => x * x * x;
                }
                """, "override") with { WholeFile = true, Note = S1 };
        yield return G("NewHidesADifferentiableBaseMethod", Usings + "namespace $NS;\n" + """
                public partial class Base { [Differentiable] public double F(double x) => x * x; }
                public partial class C : Base
                {
                    [Differentiable] public new double F(double x) => x * x * x;
                }
                """, note: S1 + "/§2 (CS0108)") with
        {
            WholeFile = true,
            Targets =
            [
                new Target { Host = "$NS.C", Instance = "new global::$NS.C()", Closed = x => [3 * x[0] * x[0]] },
                new Target { Host = "$NS.Base", Instance = "new global::$NS.Base()", Closed = x => [2 * x[0]] },
            ],
        };

        // A throw whose message reads a reassigned parameter.
        yield return G("ThrowMessageReadsReassignedParameter", """
                [Differentiable] public static double F(double x)
                {
                    x = x * 2;
                    if (x > 3) throw new ArgumentOutOfRangeException(nameof(x), $"x = {x}");
                    return x * x;
                }
            """, x => [8 * x[0]], S1) with
        {
            Targets = [new Target { Closed = x => [8 * x[0]], Low = 0.2, High = 1.4, ThrowsAt = [[1.75], [2.5]] }],
        };

        // Silently ignored before: each gets a diagnostic now.
        yield return E("DifferentiableLocalFunction", "SG0021", """
                public static double Outer(double x)
                {
                    return Sq(x);
                    [Differentiable] static double [|Sq|](double v) => v * v;
                }
            """, "local function", "method") with { Note = S1 };
        yield return E("DifferentiableLocalFunctionInTopLevelStatements", "SG0021", """
                using SymbolicGrad;
                System.Console.WriteLine(Sq(2.0));
                [Differentiable] static double [|Sq|](double v) => v * v;
                """, "local function") with { WholeFile = true, Executable = true, Note = S1 };
        yield return E("DifferentiablePropertyGetter", "SG0021", """
                private static double _x = 2;
                public static double Square { [Differentiable] [|get|] => _x * _x; }
            """, "property", "method") with { ErrorMethod = "get_Square", Note = S1 };
        yield return E("NoDifferentiableParameters", "SG0022", """
                [Differentiable] public static double [|F|](int n) => n * 2.0;
            """, "nothing to differentiate", "double") with { Note = S1 };
        yield return E("WeightsInFieldsOnly", "SG0022", """
                private readonly double _w = 2;
                private readonly double _b = 1;
                [Differentiable] public double [|Loss|]([NoDerivative] double x) => (_w * x + _b) * (_w * x + _b);
            """, "nothing to differentiate") with { Wrapper = "public partial class C", ErrorMethod = "Loss", Note = S1 };
        yield return G("StructParameter", Usings + "namespace $NS;\n" + """
                public struct Vec3 { public double X; public double Y; public double Z; }
                public static partial class C
                {
                    [Differentiable] public static double F(Vec3 v) => v.X * v.Y + v.Z * v.Z;
                }
                """, note: S1) with
        {
            WholeFile = true,
            Targets = [new Target { ViaObjective = true, Closed = x => [x[1], x[0], 2 * x[2]] }],
        };
        yield return G("RecordStructParameter", Usings + "namespace $NS;\n" + """
                public record struct Point(double X, double Y);
                public static partial class C
                {
                    [Differentiable] public static double F(Point p) => Math.Sin(p.X) * p.Y;
                }
                """, note: S1) with
        {
            WholeFile = true,
            Targets = [new Target { ViaObjective = true, Closed = x => [Math.Cos(x[0]) * x[1], Math.Sin(x[0])] }],
        };

        // ---- §2: code that did not compile ----
        yield return E("OutputNameCollisionCaseOnly", "SG0007", """
                [Differentiable] public static double F(double x, double [|X|]) => x * X;
            """, "dX", "rename") with { Note = S2 + " (CS0100)" };
        yield return E("OverloadsByArity", "SG0030", """
                [Differentiable] public static double F(double x) => x * x;
                [Differentiable] public static double [|F|](double x, double y) => x * y;
            """, "FObjective", "F(double)", "rename") with { Note = S2 + " (CS0111: two FObjective()): refused at the later overload" };
        yield return E("OverloadsWhoseObjectivesTakeAnInt", "SG0030", """
                [Differentiable] public static double Loss(double a, int k) => a * k;
                [Differentiable] public static double [|Loss|](double[] a) => a[0] * a[1];
            """, "LossObjective", "rename") with { Note = S2 + " (CS0111: two LossObjective(int))" };
        yield return G("OverloadsWithDistinctObjectives", """
                [Differentiable] public static double F(double x) => x * x;
                [Differentiable] public static double F(double x, int k) => Math.Pow(x, k);
            """, note: S2) with
        {
            Targets =
            [
                new Target { Signature = "double", Closed = x => [2 * x[0]] },
                new Target { Signature = "double, int", Data = new Dictionary<string, string> { ["k"] = "3" }, Closed = x => [3 * x[0] * x[0]] },
            ],
        };
        yield return E("UserMemberNamedLikeTheGradient", "SG0030", """
                public static double [|FGradient|](double x, out double dX) { dX = 0; return 0; }
                [Differentiable] public static double F(double x) => x * x;
            """, "FGradient", "rename") with { Note = S2 + " (CS0111)" };
        yield return E("UserMemberNamedLikeTheObjective", "SG0030", """
                public static int [|FObjective|]() => 0;
                [Differentiable] public static double F(double x) => x * x;
            """, "FObjective", "rename") with { Note = S2 + " (CS0111)" };
        yield return G("FieldNamedValueReadInAThrow", """
                private static readonly double value = 10;
                [Differentiable] public static double F(double x)
                {
                    if (x > value) throw new ArgumentException("too big: " + value);
                    return x * x;
                }
            """, x => [2 * x[0]], S2 + " (CS0165)") with { Targets = [new Target { Closed = x => [2 * x[0]], ThrowsAt = [[11.0]] }] };
        yield return G("FieldNamedT0InAThrowMessage", """
                private static readonly double t0 = 5;
                [Differentiable] public static double F(double x)
                {
                    double y = (x - 1) * (x - 1);
                    if (y > t0) throw new InvalidOperationException($"y = {y}, t0 = {t0}");
                    return y * x;
                }
            """, x => [2 * (x[0] - 1) * x[0] + (x[0] - 1) * (x[0] - 1)], S2) with
        {
            Targets = [new Target { Closed = x => [2 * (x[0] - 1) * x[0] + (x[0] - 1) * (x[0] - 1)], ThrowsAt = [[4.0]] }],
        };
        yield return G("RefPartialStructInstanceMethod", Usings + "namespace $NS;\n" + """
                public ref partial struct Scaler
                {
                    public double Scale;
                    public Scaler(double scale) { Scale = scale; }
                    [Differentiable] public double F(double x) => Scale * x * x;
                }
                """, note: S2 + " (CS8175)") with
        {
            WholeFile = true,
            Targets = [new Target { Host = "$NS.Scaler", Instance = "new global::$NS.Scaler(1.5)", Closed = x => [3 * x[0]] }],
        };
        yield return E("FileLocalType", "SG0023", Usings + "namespace $NS;\n" + """
                file static partial class [|Helper|]
                {
                    [Differentiable] public static double F(double x) => x * x;
                }
                """, "file", "internal") with { WholeFile = true, Note = S2 + " (CS0103)" };
        yield return E("ExplicitInterfaceImplementation", "SG0023", Usings + "namespace $NS;\n" + """
                public interface ILoss { double F(double x); }
                public partial class C : ILoss
                {
                    [Differentiable] double ILoss.[|F|](double x) => x * x;
                }
                """, "explicit interface", "calling a [Differentiable] method") with { WholeFile = true, Note = S2 + " (CS0106/CS0539)" };
        yield return G("MethodNamedWithAKeyword", """
                [Differentiable] public static double @double(double @in) => @in * @in * @in;
            """, note: S2 + " (CS1525)") with { Targets = [new Target { Method = "double", Closed = x => [3 * x[0] * x[0]] }] };
        yield return G("StaticMethodOfAVariantInterface", Usings + "namespace $NS;\n" + """
                public partial interface I<out T>
                {
                    [Differentiable] public static double F(double x) => x * x;
                }
                """, note: S2 + " (CS1067)") with
        {
            WholeFile = true,
            Targets = [new Target { Host = "$NS.I<object>", Closed = x => [2 * x[0]] }],
        };
        yield return G("StaticMethodOfAnInterfaceCallingAnother", Usings + "namespace $NS;\n" + """
                public partial interface ILoss<in T>
                {
                    private static double Shape(double x) => Math.Sin(x);
                    [Differentiable] public static double F(double x, double y) => Shape(x) * y + y * y;
                }
                """, note: S2 + ": a static interface method calling a private static one (contravariant T)") with
        {
            WholeFile = true,
            Targets = [new Target { Host = "$NS.ILoss<string>", Closed = x => [Math.Cos(x[0]) * x[1], Math.Sin(x[0]) + 2 * x[1]] }],
        };
        yield return E("StaticVirtualInterfaceMember", "SG0020", Usings + "namespace $NS;\n" + """
                public partial interface ILoss<TSelf> where TSelf : ILoss<TSelf>
                {
                    [Differentiable] public static virtual double [|F|](double x) => x * x;
                }
                """, "interface member") with { WholeFile = true, Note = S2 + ": a static virtual member is chosen by the type argument" };
        yield return E("ArgList", "SG0023", """
                [Differentiable] public static double [|F|](double x, __arglist) => x * x;
            """, "__arglist") with { Note = S2 + " (CS7036)" };
        yield return E("CallerOfACalleeWithAnError", "SG0012", """
                [Differentiable] public static double G(double x)
                {
                    if (x > 0) [|goto|] done;
                    x = -x;
                done:
                    return x;
                }

                [Differentiable] public static double F(double x) => G(x) * 2;
            """, "goto") with { ErrorMethod = "G", Also = ["*@F"], Note = S2 + " (CS0117): the caller gets an error at the call naming the callee" };

        // ---- §3: crashes ----
        yield return G("CaseOnlyDifferentMethods", """
                [Differentiable] public static double Loss(double x) => x * x;
                [Differentiable] public static double loss(double x) => x * x * x;
            """, note: S3 + " (CS8785: hint names)") with
        {
            Targets = [new Target { Method = "Loss", Closed = x => [2 * x[0]] }, new Target { Method = "loss", Closed = x => [3 * x[0] * x[0]] }],
        };
        yield return G("CaseOnlyDifferentClasses", Usings + "namespace $NS;\n" + """
                public static partial class Losses { [Differentiable] public static double F(double x) => x * x; }
                public static partial class losses { [Differentiable] public static double F(double x) => x * x * x; }
                """, note: S3 + " (CS8785: hint names)") with
        {
            WholeFile = true,
            Targets = [new Target { Host = "$NS.Losses", Closed = x => [2 * x[0]] }, new Target { Host = "$NS.losses", Closed = x => [3 * x[0] * x[0]] }],
        };
        yield return E("TwoFileClassesNamedHelper", "SG0023", Usings + "namespace $NS;\n" + """
                file static partial class [|Helper|] { [Differentiable] public static double F(double x) => x * x; }
                """, "file") with
        {
            WholeFile = true,
            MoreFiles = [Usings + "namespace $NS;\nfile static partial class Helper { public static double F(double x) => x * x * x; }\n"],
            Note = S3 + " (CS8785: hint names)",
        };
        yield return E("GenericAndNonGenericOverloads", "SG0030", """
                [Differentiable] public static double F(double x) => x * x;
                [Differentiable] public static T [|F|]<T>(T x) where T : System.Numerics.IFloatingPointIeee754<T> => x * x * x;
            """, "FObjective", "rename") with { Note = S3 + " (CS8785: hint names): the objectives collide, the later is refused" };
        yield return G("GenericAndNonGenericOverloadsDistinctObjectives", """
                [Differentiable] public static double F(double x, int k) => k * x * x;
                [Differentiable] public static T F<T>(T x) where T : System.Numerics.IFloatingPointIeee754<T> => x * x * x;
            """, note: S3 + " (CS8785: hint names)") with
        {
            Targets =
            [
                new Target { Signature = "double, int", Closed = x => [6 * x[0]] },
                new Target { Signature = "T", TypeArguments = "double", Closed = x => [3 * x[0] * x[0]] },
            ],
        };
        yield return E("SignaturesEqualAfterSanitizing", "SG0030", """
                [Differentiable] public static double F(double[] x) => x[0] * x[1];
                [Differentiable] public static double [|F|](ReadOnlySpan<double> x) => x[0] + x[1];
            """, "FObjective", "rename") with { Note = S3 + " (CS8785: hint names)" };
        yield return G("SignaturesEqualAfterSanitizingDistinctObjectives", """
                [Differentiable] public static double F(double[] x) => x[0] * x[1];
                [Differentiable] public static double F(ReadOnlySpan<double> x, int k) => k * (x[0] + x[1]);
            """, note: S3 + " (CS8785: hint names)") with
        {
            Targets =
            [
                new Target { Signature = "double[]", Lengths = new Dictionary<string, int> { ["x"] = 2 }, Closed = x => [x[1], x[0]] },
                new Target { Signature = "ReadOnlySpan<double>, int", Lengths = new Dictionary<string, int> { ["x"] = 2 }, Closed = x => [3, 3] },
            ],
        };
        yield return G("SumOf10000Terms", """
                [Differentiable] public static double F(double x) => 
            """ + string.Join(" + ", Enumerable.Range(1, 10000).Select(i => "x * " + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".0")) + ";", note: S3 + " (stack overflow)") with
        {
            Heavy = true,
            Targets = [new Target { Closed = x => [10000.0 * 10001 / 2] }],
        };
    }
}
