namespace EdgeAgent.Hal.Sim;

/// <summary>
/// Battery of the simulated robot: a state of charge drained by electrical power, an open-circuit voltage
/// linear in the charge (42 V full, 33.6 V empty: a 10S Li-ion pack) and a 0.05 Ω internal resistance.
/// </summary>
internal sealed class BatteryModel
{
    public const double FullVoltage = 42.0;
    public const double EmptyVoltage = 33.6;
    public const double InternalResistanceOhm = 0.05;
    public const double DriveEfficiency = 0.85;
    public const double CopperLossPerNm2 = 0.05;

    private readonly double _capacityJ;

    public BatteryModel(double capacityWh, double initialLevel)
    {
        _capacityJ = capacityWh * 3600.0;
        Level = initialLevel;
    }

    /// <summary>Gets the state of charge, 0 to 1.</summary>
    public double Level { get; private set; }

    /// <summary>Gets the electrical power of the last step (W).</summary>
    public double PowerW { get; private set; }

    public void SetLevel(double level) => Level = Math.Clamp(level, 0.0, 1.0);

    /// <summary>Drains <paramref name="powerW"/> for <paramref name="dt"/> seconds.</summary>
    public void Drain(double powerW, double dt)
    {
        PowerW = powerW;
        Level = Math.Max(0.0, Level - (powerW * dt / _capacityJ));
    }

    /// <summary>
    /// Terminal voltage and current for the last step's power: V = Voc − R·I with I = P/V, that is
    /// V² − Voc·V + R·P = 0. Past the maximum power the pack can deliver, the voltage sags to Voc/2.
    /// </summary>
    public BatteryReading Reading()
    {
        var openCircuit = (FullVoltage * Level) + (EmptyVoltage * (1.0 - Level));
        var discriminant = (openCircuit * openCircuit) - (4.0 * InternalResistanceOhm * PowerW);
        var voltage = 0.5 * (openCircuit + Math.Sqrt(Math.Max(0.0, discriminant)));
        return new BatteryReading(Level, voltage, PowerW / voltage);
    }
}
