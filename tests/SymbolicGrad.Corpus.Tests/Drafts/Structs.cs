namespace SymbolicGrad.Corpus;

/// <summary>A small vector type with operators, as a physics or graphics user writes it.</summary>
public readonly struct Vec3
{
    public readonly double X, Y, Z;

    public Vec3(double x, double y, double z)
    {
        X = x;
        Y = y;
        Z = z;
    }

    public static Vec3 operator +(Vec3 a, Vec3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);

    public static Vec3 operator -(Vec3 a, Vec3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);

    public static Vec3 operator *(double s, Vec3 a) => new(s * a.X, s * a.Y, s * a.Z);

    public double Dot(Vec3 o) => X * o.X + Y * o.Y + Z * o.Z;

    public double Length => Math.Sqrt(Dot(this));

    public static Vec3 Cross(Vec3 a, Vec3 b) => new(a.Y * b.Z - a.Z * b.Y, a.Z * b.X - a.X * b.Z, a.X * b.Y - a.Y * b.X);
}

/// <summary>A spring between particles A and B (data).</summary>
public readonly struct Spring
{
    public readonly int A, B;
    public readonly double RestLength, Stiffness;

    public Spring(int a, int b, double restLength, double stiffness)
    {
        A = a;
        B = b;
        RestLength = restLength;
        Stiffness = stiffness;
    }
}

/// <summary>A mutable point with fields, for `with` expressions.</summary>
public struct Point2
{
    public double X;
    public double Y;

    public Point2(double x, double y)
    {
        X = x;
        Y = y;
    }
}

/// <summary>A positional record struct used as a parameter.</summary>
public readonly record struct Sample(double X, double Y);

/// <summary>
/// A mass-spring model class: configuration in fields (read as constants), particle positions packed in an array
/// parameter, Vec3 locals and helpers.
/// </summary>
public sealed partial class MassSpringModel
{
    private readonly Spring[] _springs;
    private readonly double _gravity;

    public MassSpringModel(Spring[] springs, double gravity)
    {
        _springs = springs;
        _gravity = gravity;
    }

    private static Vec3 At(double[] p, int i) => new(p[3 * i], p[3 * i + 1], p[3 * i + 2]);

    /// <summary>Elastic energy of the springs plus the potential energy of unit masses.</summary>
    [Differentiable]
    public double Energy(double[] positions)
    {
        double e = 0;
        foreach (var s in _springs)
        {
            double stretch = (At(positions, s.A) - At(positions, s.B)).Length - s.RestLength;
            e += 0.5 * s.Stiffness * stretch * stretch;
        }

        for (int i = 0; i < positions.Length / 3; i++)
        {
            e += _gravity * At(positions, i).Z;
        }

        return e;
    }
}

public static partial class Geometry
{
    /// <summary>The area of a triangle: struct parameters, whose gradients are Vec3 too.</summary>
    [Differentiable]
    public static double TriangleArea(Vec3 a, Vec3 b, Vec3 c) => 0.5 * Vec3.Cross(b - a, c - a).Length;

    /// <summary>Springs passed as a data array of structs.</summary>
    [Differentiable]
    public static double SpringEnergy(double[] positions, [NoDerivative] Spring[] springs)
    {
        double e = 0;
        foreach (var s in springs)
        {
            var d = new Vec3(positions[3 * s.A], positions[3 * s.A + 1], positions[3 * s.A + 2])
                  - new Vec3(positions[3 * s.B], positions[3 * s.B + 1], positions[3 * s.B + 2]);
            double stretch = d.Length - s.RestLength;
            e += 0.5 * s.Stiffness * stretch * stretch;
        }

        return e;
    }

    /// <summary>A `with` expression on a struct local.</summary>
    [Differentiable]
    public static double Stretched(double x, double y)
    {
        var p = new Point2(x, y);
        var q = p with { Y = p.Y * 2 };
        return q.X * q.Y + Math.Sqrt(q.X * q.X + q.Y * q.Y + 1);
    }

    /// <summary>A record struct parameter.</summary>
    [Differentiable]
    public static double Product(Sample s) => s.X * s.Y + Math.Sin(s.X);
}
