using System.Runtime.CompilerServices;

namespace SymbolicGrad.Benchmarks.Tape;

/// <summary>
/// An active value: its value and the index of the tape node that produced it. Each operator computes the value,
/// records one node with its local partials, and returns the new <see cref="Var"/>. Operations with a
/// <see cref="double"/> record one parent only; a <see cref="double"/> converted to a <see cref="Var"/> is a constant
/// (node 0).
/// </summary>
public readonly struct Var
{
    /// <summary>The value.</summary>
    public readonly double Value;

    /// <summary>The tape node; 0 for a constant.</summary>
    public readonly int Index;

    /// <summary>Creates a value recorded at node <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Var(double value, int index)
    {
        Value = value;
        Index = index;
    }

    /// <summary>A constant.</summary>
    public static implicit operator Var(double value) => new(value, 0);

    /// <inheritdoc />
    public override string ToString() => $"{Value} (node {Index})";

#pragma warning disable CS1591 // the operators are what they say
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var operator +(Var a, Var b) => new(a.Value + b.Value, Tape.Push(a.Index, 1.0, b.Index, 1.0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var operator +(Var a, double b) => new(a.Value + b, Tape.Push(a.Index, 1.0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var operator +(double a, Var b) => new(a + b.Value, Tape.Push(b.Index, 1.0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var operator -(Var a, Var b) => new(a.Value - b.Value, Tape.Push(a.Index, 1.0, b.Index, -1.0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var operator -(Var a, double b) => new(a.Value - b, Tape.Push(a.Index, 1.0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var operator -(double a, Var b) => new(a - b.Value, Tape.Push(b.Index, -1.0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var operator -(Var a) => new(-a.Value, Tape.Push(a.Index, -1.0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var operator *(Var a, Var b) => new(a.Value * b.Value, Tape.Push(a.Index, b.Value, b.Index, a.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var operator *(Var a, double b) => new(a.Value * b, Tape.Push(a.Index, b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var operator *(double a, Var b) => new(a * b.Value, Tape.Push(b.Index, a));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var operator /(Var a, Var b)
    {
        double inverse = 1.0 / b.Value;
        double q = a.Value * inverse;
        return new(a.Value / b.Value, Tape.Push(a.Index, inverse, b.Index, -q * inverse));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var operator /(Var a, double b) => new(a.Value / b, Tape.Push(a.Index, 1.0 / b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var operator /(double a, Var b)
    {
        double q = a / b.Value;
        return new(q, Tape.Push(b.Index, -q / b.Value));
    }
#pragma warning restore CS1591
}

/// <summary>The elementary functions on <see cref="Var"/>: value and local derivative at record time.</summary>
public static class VarMath
{
    /// <summary>eˣ; the partial is the value itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var Exp(Var x)
    {
        double e = Math.Exp(x.Value);
        return new(e, Tape.Push(x.Index, e));
    }

    /// <summary>ln x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var Log(Var x) => new(Math.Log(x.Value), Tape.Push(x.Index, 1.0 / x.Value));

    /// <summary>tanh x; the partial is 1 − tanh².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var Tanh(Var x)
    {
        double t = Math.Tanh(x.Value);
        return new(t, Tape.Push(x.Index, 1.0 - t * t));
    }

    /// <summary>√x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var Sqrt(Var x)
    {
        double s = Math.Sqrt(x.Value);
        return new(s, Tape.Push(x.Index, 0.5 / s));
    }

    /// <summary>The larger operand, recording nothing (the taken operand's node carries on; ties take <paramref name="a"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var Max(Var a, Var b) => a.Value >= b.Value ? a : b;
}
