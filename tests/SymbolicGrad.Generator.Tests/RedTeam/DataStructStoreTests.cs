using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// A struct that is data (an element of a [NoDerivative] array of structs) stored into an array of structs the method
/// creates, abs[0] = offsets[0], as a hand-tracking draft keeps a bone's rest offset beside its posed transforms: SG0006
/// with the advice to store a value of the element's type, which it was (stop-31 red-team pass). Its members are now
/// read as data and stored member by member, also where the struct nests another.
/// </summary>
public class DataStructStoreTests
{
    private const string Types = """
        public struct V3 { public double X, Y, Z; public V3(double x, double y, double z) { X = x; Y = y; Z = z; } public static V3 operator *(double s, V3 v) => new V3(s * v.X, s * v.Y, s * v.Z); }
        public struct Bone { public V3 Offset; public double Angle; }

        """;

    /// <summary>F = abs₀.X·x + abs₁.Y with abs₀ = offsets₀ = (1, 2, 3), abs₁ = x·offsets₁ = x·(4, 5, 6): ∂x = 1 + 5 = 6.</summary>
    [Fact]
    public void ADataStructIsStoredMemberByMember() => Expect.GradientOf(Types + """
            [Differentiable(Hessian = true)]
            public static double F(double x, [NoDerivative] V3[] offsets)
            {
                var abs = new V3[2];
                abs[0] = offsets[0];
                abs[1] = x * offsets[1];
                return abs[0].X * x + abs[1].Y;
            }

            public static DifferentiableFunction Make() => FObjective(new[] { new V3(1, 2, 3), new V3(4, 5, 6) });
        """, "Make", new[] { 0.5 }, new[] { 6.0 });

    /// <summary>
    /// Nested: bones[i] = rest[i] (a struct holding a V3), then each angle posed by w: F = Σᵢ (restᵢ.Offset.Y + wᵢ)·restᵢ.Offset.X,
    /// ∂wᵢ = restᵢ.Offset.X = (1, 4).
    /// </summary>
    [Fact]
    public void ANestedDataStructIsStoredToo() => Expect.GradientOf(Types + """
            [Differentiable]
            public static double F(double[] w, [NoDerivative] Bone[] rest)
            {
                var bones = new Bone[rest.Length];
                double s = 0;
                for (int i = 0; i < rest.Length; i++)
                {
                    bones[i] = rest[i];
                    bones[i].Angle = rest[i].Offset.Y + w[i];
                    s += bones[i].Angle * bones[i].Offset.X;
                }

                return s;
            }

            public static DifferentiableFunction Make() => FObjective(2, new[] { new Bone { Offset = new V3(1, 2, 3) }, new Bone { Offset = new V3(4, 5, 6) } });
        """, "Make", new[] { 0.3, -0.2 }, new[] { 1.0, 4.0 });
}
