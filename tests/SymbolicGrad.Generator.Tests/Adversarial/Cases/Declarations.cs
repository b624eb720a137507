namespace SymbolicGrad.Generator.Tests.Adversarial;

/// <summary>Where the method lives and how it is declared: hosts, modifiers, names, generics, partial methods.</summary>
public static partial class AdversarialCases
{
    private static IEnumerable<AdversarialCase> Declarations()
    {
        const string S5 = "issue 8 §5";

        // ---- hosts ----
        yield return G("GenericHostClass", Usings + "namespace $NS;\n" + """
                public partial class Box<T> where T : class
                {
                    [Differentiable] public static double F(double x) => Math.Exp(x) * x;
                }
                """, note: S5 + ": generic hosts") with
        {
            WholeFile = true,
            Targets = [new Target { Host = "$NS.Box<string>", Closed = x => [Math.Exp(x[0]) * (1 + x[0])] }],
        };
        yield return G("GenericHostWithConstraintsAndInstanceMethod", Usings + "namespace $NS;\n" + """
                public partial class Scaled<TTag> where TTag : struct, IComparable<TTag>
                {
                    private readonly double _scale;
                    public Scaled(double scale) { _scale = scale; }
                    [Differentiable] public double F(double x) => _scale * Math.Sin(x);
                }
                """, note: S5 + ": generic hosts") with
        {
            WholeFile = true,
            Targets = [new Target { Host = "$NS.Scaled<int>", Instance = "new global::$NS.Scaled<int>(2.5)", Closed = x => [2.5 * Math.Cos(x[0])] }],
        };
        yield return G("NestedGenericTypes", Usings + "namespace $NS;\n" + """
                public static partial class Outer<TA>
                {
                    public static partial class Inner<TB>
                    {
                        [Differentiable] public static double F(double x, double y) => x * x * y;
                    }
                }
                """, note: S5 + ": nested generic types") with
        {
            WholeFile = true,
            Targets = [new Target { Host = "$NS.Outer<int>.Inner<string>", Closed = x => [2 * x[0] * x[1], x[0] * x[0]] }],
        };
        yield return G("RecordClassHost", Usings + "namespace $NS;\n" + """
                public partial record Model(double Scale)
                {
                    [Differentiable] public double F(double x) => Scale * x * x;
                }
                """, note: S5 + ": records") with
        {
            WholeFile = true,
            Targets = [new Target { Host = "$NS.Model", Instance = "new global::$NS.Model(3.0)", Closed = x => [6 * x[0]] }],
        };
        yield return G("RecordStructHost", Usings + "namespace $NS;\n" + """
                public partial record struct Model(double Scale)
                {
                    [Differentiable] public readonly double F(double x) => Scale * Math.Log(x);
                }
                """, note: S5 + ": records") with
        {
            WholeFile = true,
            Targets = [new Target { Host = "$NS.Model", Instance = "new global::$NS.Model(3.0)", Closed = x => [3 / x[0]] }],
        };
        yield return G("ReadonlyStructHostUsesThis", Usings + "namespace $NS;\n" + """
                public readonly partial struct Affine
                {
                    public readonly double A;
                    public readonly double B;
                    public Affine(double a, double b) { A = a; B = b; }
                    [Differentiable] public double F(double x) => this.A * x * x + this.B * x;
                }
                """, note: S5 + ": readonly structs, this in structs") with
        {
            WholeFile = true,
            Targets = [new Target { Host = "$NS.Affine", Instance = "new global::$NS.Affine(2.0, -1.0)", Closed = x => [4 * x[0] - 1] }],
        };
        yield return G("MutableStructHostStaticMethod", Usings + "namespace $NS;\n" + """
                public partial struct Holder
                {
                    public double Value;
                    [Differentiable] public static double F(double x) => x * x * x;
                }
                """, note: S5) with
        {
            WholeFile = true,
            Targets = [new Target { Host = "$NS.Holder", Closed = x => [3 * x[0] * x[0]] }],
        };
        yield return G("RefStructHostStaticMethod", Usings + "namespace $NS;\n" + """
                public ref partial struct Window
                {
                    public Span<double> Data;
                    [Differentiable] public static double F(double x) => Math.Sqrt(x);
                }
                """, note: S5 + ": ref structs") with
        {
            WholeFile = true,
            Targets = [new Target { Host = "$NS.Window", Closed = x => [0.5 / Math.Sqrt(x[0])] }],
        };
        yield return G("FileScopedNamespace", "using SymbolicGrad;\nnamespace $NS.Deep.Er;\npublic static partial class C\n{\n    [Differentiable] public static double F(double x) => System.Math.Cosh(x);\n}\n",
            note: S5 + ": file-scoped namespaces") with
        {
            WholeFile = true,
            Targets = [new Target { Host = "$NS.Deep.Er.C", Closed = x => [Math.Sinh(x[0])] }],
        };
        yield return G("BlockNamespaceNested", "using SymbolicGrad;\nnamespace $NS\n{\n    namespace Inner\n    {\n        public static partial class C\n        {\n            [Differentiable] public static double F(double x) => x / (1 + x * x);\n        }\n    }\n}\n",
            note: S5) with
        {
            WholeFile = true,
            Targets = [new Target { Host = "$NS.Inner.C", Closed = x => [(1 - x[0] * x[0]) / Math.Pow(1 + x[0] * x[0], 2)] }],
        };
        yield return G("GlobalNamespace", "using SymbolicGrad;\npublic static partial class G_$ID\n{\n    [Differentiable] public static double F(double x) => x * x;\n}\n", note: S5) with
        {
            WholeFile = true,
            Targets = [new Target { Host = "G_$ID", Closed = x => [2 * x[0]] }],
        };
        yield return G("DeeplyNestedTypes", Usings + "namespace $NS;\n" + """
                public partial class A { public partial struct B { internal static partial class D { public partial record E
                {
                    [Differentiable] internal static double F(double x) => x * x * x * x;
                } } } }
                """, note: S5) with
        {
            WholeFile = true,
            Targets = [new Target { Host = "$NS.A.B.D.E", Closed = x => [4 * Math.Pow(x[0], 3)] }],
        };
        yield return G("PrivateProtectedAndPrivateMethods", Usings + "namespace $NS;\n" + """
                public partial class C
                {
                    [Differentiable] private static double P(double x) => x * x;
                    [Differentiable] private protected static double Q(double x) => x * x * x;
                    [Differentiable] protected internal static double R(double x) => P(x) + Q(x);
                }
                """, note: "accessibility") with
        {
            WholeFile = true,
            Targets = [new Target { Method = "R", Closed = x => [2 * x[0] + 3 * x[0] * x[0]] }],
        };
        yield return G("PartialMethodDefinitionAndImplementation", Usings + "namespace $NS;\n" + """
                public static partial class C
                {
                    [Differentiable] public static partial double F(double x);
                }
                """, note: S5 + ": partial methods") with
        {
            WholeFile = true,
            MoreFiles = [Usings + "namespace $NS;\npublic static partial class C\n{\n    public static partial double F(double x) => Math.Tanh(x);\n}\n"],
            Targets = [new Target { Closed = x => [1 - Math.Pow(Math.Tanh(x[0]), 2)] }],
        };
        yield return G("PartialMethodAttributeOnImplementation", Usings + "namespace $NS;\n" + """
                public static partial class C
                {
                    public static partial double F(double x);
                    [Differentiable] public static partial double F(double x) => x * Math.Exp(-x);
                }
                """, note: S5 + ": partial methods") with
        {
            WholeFile = true,
            Targets = [new Target { Closed = x => [Math.Exp(-x[0]) * (1 - x[0])] }],
        };
        yield return E("PartialMethodWithoutImplementation", "SG0002", """
                [Differentiable] static partial [|void|] F(double x);
            """, "void") with { Note = S5 + ": partial methods" };
        yield return E("AbstractMethod", "SG0020", Usings + "namespace $NS;\n" + """
                public abstract partial class C
                {
                    [Differentiable] public abstract double [|F|](double x);
                }
                """, "abstract") with { WholeFile = true, Note = S5 + ": virtual" };
        yield return G("SealedOverrideIsNotVirtualDispatch", Usings + "namespace $NS;\n" + """
                public partial class Base { public virtual double F(double x) => x; }
                public partial class C : Base
                {
                    [Differentiable] public sealed override double F(double x) => x * x;
                }
                """, note: S5 + ": virtual/override (a sealed override is exactly the method that runs on a C)") with
        {
            WholeFile = true,
            Targets = [new Target { Instance = "new global::$NS.C()", Closed = x => [2 * x[0]] }],
        };
        yield return G("OverrideInASealedClass", Usings + "namespace $NS;\n" + """
                public partial class Base { public virtual double Scale(double x) => 2 * x; }
                public partial class Mid : Base { public override double Scale(double x) => 3 * x; }
                public sealed partial class Leaf : Mid
                {
                    [Differentiable] public override double Scale(double x) => 5 * x * x;
                }
                """, note: S5 + ": an override in a sealed class is the body that runs for every Leaf") with
        {
            WholeFile = true,
            Targets = [new Target { Host = "$NS.Leaf", Method = "Scale", Instance = "new global::$NS.Leaf()", Closed = x => [10 * x[0]] }],
        };
        yield return E("SealedOverrideCallingAVirtualMember", "SG0020", Usings + "namespace $NS;\n" + """
                public abstract partial class Base
                {
                    public abstract double F(double x);
                    public virtual double Scale(double x) => 2 * x;
                }

                public partial class C : Base
                {
                    [Differentiable] public sealed override double F(double x) => [|Scale(x)|] * x;
                    public override double Scale(double x) => 3 * x;
                }
                """, "virtual dispatch") with { WholeFile = true, Note = S5 + ": F is sealed, but Scale may be overridden below C" };
        yield return E("OverrideOfASealedOverrideStaysVirtualBelow", "SG0020", Usings + "namespace $NS;\n" + """
                public partial class Base { public virtual double F(double x) => x; }
                public partial class Mid : Base { public override double F(double x) => 2 * x; }
                public partial class C : Mid
                {
                    [Differentiable] public override double [|F|](double x) => x * x;
                }
                """, "override") with { WholeFile = true, Note = S5 + ": an override in a class that is not sealed can be overridden again" };
        yield return E("InterfaceDefaultMethod", "SG0020", Usings + "namespace $NS;\n" + """
                public partial interface ILoss
                {
                    [Differentiable] double [|F|](double x) => x * x;
                }
                """, "interface") with { WholeFile = true, Note = S5 };
        yield return G("ExtensionMethod", """
                [Differentiable] public static double Squared(this double x) => x * x;
                [Differentiable] public static double F(double x) => x.Squared() + 3.0.Squared() * x;
            """, x => [2 * x[0] + 9], S5 + ": extension methods");
        yield return G("ExtensionMethodIsTheTarget", """
                [Differentiable] public static double F(this double x, double y) => Math.Atan2(y, x);
            """, x => [-x[1] / (x[0] * x[0] + x[1] * x[1]), x[0] / (x[0] * x[0] + x[1] * x[1])], S5 + ": extension methods");
        yield return G("InstanceMethodOfAClassWithFields", """
                private readonly double _scale;
                private double Offset { get; init; } = 0.5;
                public C(double scale) { _scale = scale; }
                [Differentiable] public double F(double x) => _scale * (x - Offset) * (x - Offset);
            """, note: S5 + ": init-only properties, fields as constants") with
        {
            Wrapper = "public partial class C",
            Targets = [new Target { Instance = "new global::$NS.C(2.0)", Closed = x => [4 * (x[0] - 0.5)] }],
        };
        yield return G("StaticConstructorAndStaticReadonly", """
                private static readonly double Scale;
                static C() { Scale = Math.Sqrt(2); }
                [Differentiable] public static double F(double x) => Scale * x * x;
            """, x => [2 * Math.Sqrt(2) * x[0]], "static constructor");
        yield return G("UnsafeClass", """
                [Differentiable] public static double F(double x) => x * x + 1;
            """, x => [2 * x[0]], S5 + ": unsafe") with { Wrapper = "public static unsafe partial class C" };

        // ---- names ----
        yield return G("KeywordIdentifiers", """
                [Differentiable] public static double @class(double @double, double @int) => @double * @int + Math.Sin(@double);
            """, note: S5 + ": keyword identifiers") with
        {
            Targets = [new Target { Method = "class", Closed = x => [x[1] + Math.Cos(x[0]), x[0]] }],
        };
        yield return G("KeywordLocals", """
                [Differentiable] public static double F(double x)
                {
                    double @return = x * 2;
                    double @var = @return * x;
                    double @value = @var + 1;
                    return @value;
                }
            """, x => [4 * x[0]], S5 + ": keyword identifiers");
        yield return G("UnicodeIdentifiers", """
                [Differentiable] public static double Énergie(double θ, double ω) => 0.5 * ω * ω + (1 - Math.Cos(θ));
            """, note: S5 + ": Unicode identifiers") with
        {
            Targets = [new Target { Method = "Énergie", Closed = x => [Math.Sin(x[0]), x[1]] }],
        };
        yield return G("UnicodeLowercaseFirstLetters", """
                [Differentiable] public static double F(double ä, double ß, double δ) => ä * ß * δ;
            """, x => [x[1] * x[2], x[0] * x[2], x[0] * x[1]], S5 + ": Unicode identifiers (ß has no single upper case letter)");
        yield return G("UnderscoreParameterNames", """
                [Differentiable] public static double F(double _x, double __y, double x_) => _x * __y + x_;
            """, x => [x[1], x[0], 1], "names");
        yield return E("OutputCollidesWithAParameter", "SG0007", """
                [Differentiable] public static double F(double x, double [|dX|]) => x * dX;
            """, "dX", "rename");
        yield return G("OutputsOfXAndUnderscoreXDoNotCollide", """
                [Differentiable] public static double F(double x, double _x) => x * _x;
            """, x => [x[1], x[0]], "names: x gets dX and _x gets d_x");
        yield return G("ParameterNamedLikeAnotherOutputInLowerCase", """
                [Differentiable] public static double F(double x, double dx) => x * dx;
            """, x => [x[1], x[0]], "dx vs the output dX of x (and dDx of dx)");
        yield return G("CaseOnlyDifferentParameters", """
                [Differentiable] public static double F(double a, double aa, double aA) => a * aa * aA;
            """, x => [x[1] * x[2], x[0] * x[2], x[0] * x[1]], S5 + ": case-only name differences");
        yield return G("TypeNamedLikeAParameter", Usings + "namespace $NS;\n" + """
                public static class x { public const double Scale = 2; }
                public static partial class C
                {
                    [Differentiable] public static double F(double X) => global::$NS.x.Scale * X * X;
                }
                """, note: "names") with { WholeFile = true, Targets = [new Target { Closed = x => [4 * x[0]] }] };
        yield return G("MethodNamedLikeAMathFunction", """
                [Differentiable] public static double Exp(double x) => x * x;
                [Differentiable] public static double F(double x) => Exp(x) + Math.Exp(x);
            """, x => [2 * x[0] + Math.Exp(x[0])], "names");
        yield return G("MethodNamedGradient", """
                [Differentiable] public static double Gradient(double x) => x * x * x;
            """, note: "members named like generated members") with { Targets = [new Target { Method = "Gradient", Closed = x => [3 * x[0] * x[0]] }] };
        yield return G("MethodsNamedFAndFGradientStem", """
                [Differentiable] public static double F(double x) => x * x;
                [Differentiable] public static double FGrad(double x) => x * x * x;
            """, note: "members named like generated members") with
        {
            Targets = [new Target { Closed = x => [2 * x[0]] }, new Target { Method = "FGrad", Closed = x => [3 * x[0] * x[0]] }],
        };
        yield return G("DifferentiableMethodNamedLikeAnotherGradient", """
                [Differentiable] public static double F(double x) => x * x;
                [Differentiable] public static double FGradient(double x) => x * x * x;
            """, note: "members named like generated members: FGradient(double) gets FGradientGradient, F gets FGradient(double, out double)") with
        {
            Targets = [new Target { Closed = x => [2 * x[0]] }, new Target { Method = "FGradient", Closed = x => [3 * x[0] * x[0]] }],
        };
        yield return G("ParametersNamedLikeObjectiveLocals", """
                [Differentiable] public static double F(double parameters, double gradient, double self, double value) => parameters * gradient + self * value;
            """, x => [x[1], x[0], x[3], x[2]], "names the generated objective uses");
        yield return G("ParametersNamedLikeObjectiveLocalsWithArrays", """
                [Differentiable] public static double F(double[] parameters, double b0, double i) => parameters[0] * b0 + parameters[1] * i;
            """, note: "names the generated objective uses (buffers b0, loop index i)") with
        {
            Targets = [new Target { Lengths = new Dictionary<string, int> { ["parameters"] = 2 }, Closed = x => [x[2], x[3], x[0], x[1]] }],
        };

        // ---- parameters ----
        yield return G("ParamsArray", """
                [Differentiable] public static double F(params double[] xs)
                {
                    double s = 0;
                    foreach (var v in xs) s += v * v;
                    return s;
                }
                [Differentiable] public static double H(double a, double b) => F(a, b, a * b);
            """, note: S5 + ": params") with
        {
            Targets =
            [
                new Target { Closed = x => [2 * x[0], 2 * x[1], 2 * x[2]] },
                new Target { Method = "H", Closed = x => [2 * x[0] + 2 * x[0] * x[1] * x[1], 2 * x[1] + 2 * x[1] * x[0] * x[0]] },
            ],
        };
        yield return G("OptionalAndNamedArguments", """
                public static double Scale(double v, double factor = 2.0, double shift = 0.0) => v * factor + shift;
                [Differentiable] public static double F(double x, double y = 1.5) => Scale(x, shift: y) * Scale(v: y, factor: x);
            """, x => [4 * x[0] * x[1] + x[1] * x[1], 2 * x[0] * x[1] + 2 * x[0] * x[0]], S5 + ": optional and named arguments");
        yield return G("InParameter", """
                [Differentiable] public static double F(in double x, double y) => x * x * y;
            """, x => [2 * x[0] * x[1], x[0] * x[0]], "in parameters");
        yield return G("NullableDoubleDataParameter", """
                [Differentiable] public static double F(double x, double? offset) => offset is double o ? (x - o) * (x - o) : x * x;
            """, note: S5 + ": nullable doubles") with
        {
            Targets =
            [
                new Target { Data = new Dictionary<string, string> { ["offset"] = "0.25" }, Closed = x => [2 * (x[0] - 0.25)] },
                new Target { Data = new Dictionary<string, string> { ["offset"] = "null" }, Closed = x => [2 * x[0]] },
            ],
        };
        yield return G("ThreeHundredParameters", """
                [Differentiable] public static double F(
            """ + string.Join(", ", Enumerable.Range(0, 300).Select(i => "double p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ") => " +
            string.Join(" + ", Enumerable.Range(0, 300).Select(i => "p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + " * p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ";",
            x => x.Select(v => 2 * v).ToArray(), S5 + ": 300 parameters") with { Heavy = true };
        yield return G("ThirtyFiveParametersGlobalNamespace", "using SymbolicGrad;\npublic static partial class G_$ID\n{\n    [Differentiable] public static double F(" +
            string.Join(", ", Enumerable.Range(0, 35).Select(i => "double parameterNumber" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ") => " +
            string.Join(" * ", Enumerable.Range(0, 35).Select(i => "(1 + 0.01 * parameterNumber" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")")) + ";\n}\n",
            note: "issue 8 §2 (CS0016: hint name too long)") with
        {
            WholeFile = true,
            Targets = [new Target { Host = "G_$ID", Closed = x => x.Select((v, i) => 0.01 * x.Select(w => 1 + 0.01 * w).Where((_, j) => j != i).Aggregate(1.0, (a, b) => a * b)).ToArray() }],
        };
        yield return G("EightSpanParametersInANamespace", """
                [Differentiable] public static double F(ReadOnlySpan<double> firstWeights, ReadOnlySpan<double> secondWeights, ReadOnlySpan<double> thirdWeights, ReadOnlySpan<double> fourthWeights,
                    ReadOnlySpan<double> fifthWeights, ReadOnlySpan<double> sixthWeights, ReadOnlySpan<double> seventhWeights, ReadOnlySpan<double> eighthWeights)
                    => firstWeights[0] * secondWeights[0] + thirdWeights[0] * fourthWeights[0] + fifthWeights[0] * sixthWeights[0] + seventhWeights[0] * eighthWeights[0];
            """, note: "issue 8 §2 (CS0016: hint name too long)") with
        {
            Targets = [new Target
            {
                Lengths = new Dictionary<string, int> { ["firstWeights"] = 1, ["secondWeights"] = 1, ["thirdWeights"] = 1, ["fourthWeights"] = 1, ["fifthWeights"] = 1, ["sixthWeights"] = 1, ["seventhWeights"] = 1, ["eighthWeights"] = 1 },
                Closed = x => [x[1], x[0], x[3], x[2], x[5], x[4], x[7], x[6]],
            }],
        };
        yield return E("RefParameter", "SG0004", """
                [Differentiable] public static double F([|ref double x|]) => x * x;
            """, "ref", "by value");
        yield return E("OutParameter", "SG0004", """
                [Differentiable] public static double F(double x, [|out double y|]) { y = x; return x * x; }
            """, "out");
        yield return E("AsyncMethod", "SG0003", """
                [Differentiable] public static [|async|] System.Threading.Tasks.Task<double> F(double x) { await System.Threading.Tasks.Task.Yield(); return x; }
            """, "async");
        yield return E("ReturnsInt", "SG0002", """
                [Differentiable] public static [|int|] F(double x) => (int)x;
            """, "int", "double");
        yield return E("ReturnsRefDouble", "SG0002", """
                private static double _cell;
                [Differentiable] public static [|ref double|] F(double x) => ref _cell;
            """, "double");
        yield return E("TypeNotPartial", "SG0001", Usings + "namespace $NS;\npublic static class [|C|]\n{\n    [Differentiable] public static double F(double x) => x * x;\n}\n", "partial") with { WholeFile = true };
        yield return E("OuterTypeNotPartial", "SG0001", Usings + "namespace $NS;\npublic class [|Outer|]\n{\n    public static partial class C\n    {\n        [Differentiable] public static double F(double x) => x * x;\n    }\n}\n", "Outer", "partial") with { WholeFile = true };
        yield return G("FloatMethod", """
                [Differentiable] public static float F(float x, float y) => MathF.Sin(x) * y + x * x;
            """, x => [Math.Cos(x[0]) * x[1] + 2 * x[0], Math.Sin(x[0])], "float");
        yield return G("GenericMathMethod", """
                [Differentiable] public static T F<T>(T x) where T : System.Numerics.IFloatingPointIeee754<T> => T.Exp(x) * x + T.CreateChecked(0.5) * x;
            """, note: "generic math") with { Targets = [new Target { TypeArguments = "double", Closed = x => [Math.Exp(x[0]) * (1 + x[0]) + 0.5] }] };
        yield return G("GenericMathMethodAtFloat", """
                [Differentiable] public static T F<T>(T x, T y) where T : System.Numerics.IFloatingPointIeee754<T> => T.Sqrt(x * x + y * y);
            """, note: "generic math at float") with
        {
            Targets = [new Target { TypeArguments = "double", Closed = x => [x[0] / Math.Sqrt(x[0] * x[0] + x[1] * x[1]), x[1] / Math.Sqrt(x[0] * x[0] + x[1] * x[1])] }],
        };
    }
}
