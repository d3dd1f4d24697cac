import type { MetricId } from '../metrics.ts';
import type { Text } from './languages.ts';

/** Each metric's name in every language (the English ones are the catalog's displayName). */
export const METRIC_NAMES: Readonly<Record<MetricId, Text>> = {
  pm25: { en: 'PM2.5', fr: 'PM2,5', zh: 'PM2.5' },
  pm10: { en: 'PM10', fr: 'PM10', zh: 'PM10' },
  no2: { en: 'Nitrogen dioxide (NO₂)', fr: 'Dioxyde d’azote (NO₂)', zh: '二氧化氮 (NO₂)' },
  o3: { en: 'Ozone (O₃)', fr: 'Ozone (O₃)', zh: '臭氧 (O₃)' },
  so2: { en: 'Sulphur dioxide (SO₂)', fr: 'Dioxyde de soufre (SO₂)', zh: '二氧化硫 (SO₂)' },
  co: { en: 'Carbon monoxide (CO)', fr: 'Monoxyde de carbone (CO)', zh: '一氧化碳 (CO)' },
  noise_laeq: { en: 'Noise level LAeq', fr: 'Niveau sonore LAeq', zh: '噪声 LAeq' },
  temperature: { en: 'Air temperature', fr: 'Température de l’air', zh: '气温' },
  humidity: { en: 'Relative humidity', fr: 'Humidité relative', zh: '相对湿度' },
  pressure: { en: 'Atmospheric pressure', fr: 'Pression atmosphérique', zh: '气压' },
};
