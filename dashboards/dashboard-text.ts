import type { Lang, Text } from '../domain/i18n/languages.ts';

/**
 * Every text of the dashboards and alert rules in English, French and Chinese: the one source the
 * generated files of every language come from (dashboards/generated/{en,fr,zh}/). A function
 * entry fills in names; a missing language is a type error.
 */
type Fill<A extends unknown[]> = (...args: A) => Text;

export const TEXT = {
  cityTitle: ((city: string) => ({
    en: `${city} — environmental monitoring`,
    fr: `${city} — surveillance environnementale`,
    zh: `${city} — 环境监测`,
  })) satisfies Fill<[string]>,
  cityDescription: ((city: string, zone: string) => ({
    en: `Readings of the ${city} sensor network, shown in ${zone} local time.`,
    fr: `Mesures du réseau de capteurs de ${city}, en heure locale (${zone}).`,
    zh: `${city} 传感器网络的测量值，以当地时间（${zone}）显示。`,
  })) satisfies Fill<[string, string]>,
  device: { en: 'Device', fr: 'Capteur', zh: '设备' },
  metric: { en: 'Metric', fr: 'Grandeur', zh: '指标' },
  latestValues: { en: 'Latest values', fr: 'Dernières valeurs', zh: '最新值' },
  latestValuesDescription: {
    en: 'Mean of the selected devices in the most recent interval, per metric.',
    fr: 'Moyenne des capteurs sélectionnés sur le dernier intervalle, par grandeur.',
    zh: '所选设备在最近一个时段内的平均值（按指标）。',
  },
  deviceMap: { en: 'Device map', fr: 'Carte des capteurs', zh: '设备地图' },
  deviceMapDescription: {
    en: 'Devices at their registered sites; marker size = readings received in the range.',
    fr: 'Capteurs à leur emplacement enregistré ; taille du marqueur = mesures reçues sur la période.',
    zh: '设备位于其登记位置；标记大小 = 该时段内收到的测量数。',
  },
  latestPerDevice: {
    en: 'Latest reading per device',
    fr: 'Dernière mesure par capteur',
    zh: '各设备最新测量',
  },
  latestPerDeviceDescription: {
    en: 'The last value of every device and metric in the range.',
    fr: 'La dernière valeur de chaque capteur et grandeur sur la période.',
    zh: '时段内每个设备、每个指标的最后一个值。',
  },
  metricSeriesDescription: ((metric: string) => ({
    en: `${metric}: mean per device and interval.`,
    fr: `${metric} : moyenne par capteur et par intervalle.`,
    zh: `${metric}：按设备和时段的平均值。`,
  })) satisfies Fill<[string]>,
  rejections: { en: 'Rejected messages', fr: 'Messages rejetés', zh: '被拒绝的消息' },
  rejectionsDescription: {
    en: 'Messages refused at ingest, newest first: what each device owner has to fix.',
    fr: 'Messages refusés à l’ingestion, les plus récents d’abord : ce que chaque propriétaire de capteur doit corriger.',
    zh: '接收时被拒绝的消息（最新在前）：各设备所有者需要修正的问题。',
  },
  comparisonTitle: ((names: string) => ({
    en: `${names} — daily means`,
    fr: `${names} — moyennes journalières`,
    zh: `${names} — 日均值`,
  })) satisfies Fill<[string]>,
  comparisonDescription: ((metrics: string) => ({
    en: `Daily means of ${metrics} per city, over each city's local days.`,
    fr: `Moyennes journalières de ${metrics} par ville, sur les jours locaux de chaque ville.`,
    zh: `各城市 ${metrics} 的日均值，按各城市当地日历日计算。`,
  })) satisfies Fill<[string]>,
  dailyMean: ((metric: string) => ({
    en: `${metric}: daily mean`,
    fr: `${metric} : moyenne journalière`,
    zh: `${metric}：日均值`,
  })) satisfies Fill<[string]>,
  dailyMeanDescription: ((metric: string) => ({
    en: `${metric}: mean of each local day, one line per city.`,
    fr: `${metric} : moyenne de chaque jour local, une courbe par ville.`,
    zh: `${metric}：每个当地日的平均值，每个城市一条曲线。`,
  })) satisfies Fill<[string]>,
  guidelineLine: ((value: number, unit: string) => ({
    en: `Dashed line: WHO 2021 24-hour guideline level, ${value} ${unit}.`,
    fr: `Ligne pointillée : valeur guide OMS 2021 sur 24 heures, ${value} ${unit}.`,
    zh: `虚线：世卫组织 2021 年 24 小时指导值，${value} ${unit}。`,
  })) satisfies Fill<[number, string]>,
  periodMean: ((metric: string) => ({
    en: `${metric}: mean of the daily means`,
    fr: `${metric} : moyenne des moyennes journalières`,
    zh: `${metric}：日均值的平均`,
  })) satisfies Fill<[string]>,
  periodMeanDescription: {
    en: 'Mean of the daily means over the dashboard range, per city.',
    fr: 'Moyenne des moyennes journalières sur la période affichée, par ville.',
    zh: '所选时段内日均值的平均（按城市）。',
  },
  aqTitle: ((city: string) => ({
    en: `${city} — air quality indices`,
    fr: `${city} — indices de qualité de l’air`,
    zh: `${city} — 空气质量指数`,
  })) satisfies Fill<[string]>,
  aqDescription: ((city: string, zone: string) => ({
    en: `Air-quality indices of ${city} (city mean of its devices, as the API computes them), in ${zone} local time.`,
    fr: `Indices de qualité de l’air de ${city} (moyenne des capteurs de la ville, calculée comme par l’API), en heure locale (${zone}).`,
    zh: `${city} 的空气质量指数（全市设备平均，与 API 计算方式相同），以当地时间（${zone}）显示。`,
  })) satisfies Fill<[string, string]>,
  currentIndex: ((standard: string) => ({
    en: `Current index — ${standard}`,
    fr: `Indice actuel — ${standard}`,
    zh: `当前指数 — ${standard}`,
  })) satisfies Fill<[string]>,
  currentIndexDescription: {
    en: "Latest hourly index of the city, in the standard's official level colours and names.",
    fr: 'Dernier indice horaire de la ville, avec les couleurs et noms de niveaux officiels de la norme.',
    zh: '全市最新小时指数，采用该标准的官方级别颜色和名称。',
  },
  indexHistory: ((standard: string) => ({
    en: `Hourly and daily index — ${standard}`,
    fr: `Indice horaire et journalier — ${standard}`,
    zh: `小时和日指数 — ${standard}`,
  })) satisfies Fill<[string]>,
  indexHistoryDescription: {
    en: 'Points: hourly index; line: daily index of each local day.',
    fr: 'Points : indice horaire ; ligne : indice journalier de chaque jour local.',
    zh: '点：小时指数；线：每个当地日的日指数。',
  },
  hourly: { en: 'hourly', fr: 'horaire', zh: '小时' },
  daily: { en: 'daily', fr: 'journalier', zh: '日' },
  subIndices: ((standard: string) => ({
    en: `Sub-indices and primary pollutant — ${standard}`,
    fr: `Sous-indices et polluant principal — ${standard}`,
    zh: `分指数和首要污染物 — ${standard}`,
  })) satisfies Fill<[string]>,
  subIndicesDescription: {
    en: 'Latest hourly sub-index per pollutant (si_…), the primary pollutant(s), the version used and whether a sub-index could not be computed (incomplete).',
    fr: 'Dernier sous-indice horaire par polluant (si_…), le ou les polluants principaux, la version appliquée et si un sous-indice n’a pu être calculé (incomplete).',
    zh: '各污染物最新小时分指数（si_…）、首要污染物、所用版本，以及是否有分指数无法计算（incomplete）。',
  },
  indexMap: ((standard: string) => ({
    en: `Devices by index — ${standard}`,
    fr: `Capteurs par indice — ${standard}`,
    zh: `各设备指数 — ${standard}`,
  })) satisfies Fill<[string]>,
  indexMapDescription: {
    en: "Registered devices coloured by their latest hourly index, in the standard's level colours.",
    fr: 'Capteurs enregistrés, colorés selon leur dernier indice horaire, aux couleurs des niveaux de la norme.',
    zh: '已登记设备，按其最新小时指数以该标准的级别颜色着色。',
  },
  exceedances: ((standard: string) => ({
    en: `This year's exceedances — ${standard}`,
    fr: `Dépassements de l’année — ${standard}`,
    zh: `本年度超标情况 — ${standard}`,
  })) satisfies Fill<[string]>,
  exceedancesDescription: ((
    standard: string,
    minHours: number,
    validity: string,
    yearRule: Text,
    percentiles: string,
  ) => ({
    en: `This year so far (local calendar), one row per ${standard} limit on 24-hour or 1-hour means of the city (each hour the mean of its devices' hourly means, as /v1/exceedances computes it). Validity: a daily mean counts only with at least ${minHours} hourly values (${validity}); an hour counts with any reading (the 45-minute rule for an hourly value is not checked). "Valid" is how many days (hours) counted, "Periods" how many the year has had so far, "Coverage" their ratio; a valid year needs ${yearRule.en}. "So far" counts the valid days (hours) above the limit. "Allowed" is the standard's number of days (hours)${percentiles === '' ? '' : `; where the standard judges by a percentile of the daily values (${percentiles}), it is the most days above the limit that keep that percentile of the n valid days at or below it, ⌊(n − 1)·(100 − p)/100⌋ (rank 1 + (n − 1)·p/100: the linear percentile of HJ 663-2013, also applied to WHO, which names no method); with exactly one more day above, the interpolated percentile decides, which InfluxQL cannot compute (its percentile() takes the nearest rank): /v1/exceedances gives the exact percentile`}. Not in this table, because InfluxQL cannot express them: 8-hour daily maxima (O₃, CO; the 8-hour windows must be assigned to the day of their last hour within set hours and need 6 of 8 hourly values each), annual and seasonal means, and alert thresholds; /v1/exceedances assesses them all.`,
    fr: `Année en cours (calendrier local), une ligne par valeur limite ${standard} sur moyennes de 24 heures ou d’une heure de la ville (chaque heure : moyenne des moyennes horaires de ses capteurs, comme /v1/exceedances). Validité : une moyenne journalière ne compte qu’avec au moins ${minHours} valeurs horaires (${validity}) ; une heure compte dès qu’elle a une mesure (la règle des 45 minutes d’une valeur horaire n’est pas vérifiée). « Valides » : jours (heures) comptés ; « Écoulés » : jours (heures) écoulés dans l’année ; « Couverture » : leur rapport ; une année valide demande ${yearRule.fr}. « À ce jour » compte les jours (heures) valides au-dessus de la limite. « Permis » est le nombre de jours (heures) permis par la norme${percentiles === '' ? '' : ` ; quand la norme juge par un percentile des valeurs journalières (${percentiles}), c’est le plus grand nombre de jours au-dessus de la limite qui laisse ce percentile des n jours valides à la limite ou en dessous, ⌊(n − 1)·(100 − p)/100⌋ (rang 1 + (n − 1)·p/100 : percentile linéaire de HJ 663-2013, appliqué aussi à l’OMS, qui n’en fixe pas) ; avec exactement un jour de plus, c’est le percentile interpolé qui décide, ce qu’InfluxQL ne sait pas calculer (son percentile() prend le rang le plus proche) : /v1/exceedances donne le percentile exact`}. Absents de ce tableau car InfluxQL ne sait pas les exprimer : maxima journaliers sur 8 heures (O₃, CO ; chaque fenêtre de 8 heures doit être rattachée au jour de sa dernière heure, dans des heures fixées, et compter 6 valeurs horaires sur 8), moyennes annuelles et saisonnières, seuils d’alerte ; /v1/exceedances les évalue tous.`,
    zh: `本年度至今（当地日历），每行对应一项 ${standard} 的 24 小时或 1 小时平均浓度限值，基于全市数据（每小时取各设备小时均值的平均，与 /v1/exceedances 相同）。有效性：日均值须至少有 ${minHours} 个小时值才计入（${validity}）；有任一测量的小时即计入（未检查小时值须有 45 分钟数据的规定）。“有效”为计入的天数（小时数），“已过”为本年度已过的天数（小时数），“覆盖率”为二者之比；全年评价有效须${yearRule.zh}。“至今超标”为超过限值的有效天数（小时数）。“允许”为标准允许的天数（小时数）${percentiles === '' ? '' : `；标准按日评价值的百分位数评价时（${percentiles}），为使 n 个有效日的该百分位数不超过限值所能容许的最多超标天数，即 ⌊(n − 1)·(100 − p)/100⌋（序数 1 + (n − 1)·p/100，即 HJ 663-2013 的线性百分位数公式；世卫组织未规定方法，亦采用此公式）；若恰好多一天超标，则由插值百分位数决定，InfluxQL 无法计算（其 percentile() 取最近序数）：精确百分位数见 /v1/exceedances`}。本表未包含 InfluxQL 无法表达的项目：8 小时滑动平均日最大值（O₃、CO；每个 8 小时窗口须按其最后一小时归入当日的规定时段，且须有 8 个小时值中的至少 6 个）、年均值和季节均值、警报阈值；这些由 /v1/exceedances 评价。`,
  })) satisfies Fill<[string, number, string, Text, string]>,
  yearRuleFraction: ((percent: number) => ({
    en: `${percent} % of the days`,
    fr: `${percent} % des jours`,
    zh: `${percent}% 的天数`,
  })) satisfies Fill<[number]>,
  yearRuleDays: ((year: number, month: number, february: number) => ({
    en: `${year} valid days a year and ${month} each month (${february} in February)`,
    fr: `${year} jours valides par an et ${month} par mois (${february} en février)`,
    zh: `每年至少 ${year} 个有效日、每月至少 ${month} 个（二月至少 ${february} 个）`,
  })) satisfies Fill<[number, number, number]>,
  percentileOf: ((pollutant: string, p: number) => ({
    en: `${pollutant}: ${p}th percentile`,
    fr: `${pollutant} : ${p}e percentile`,
    zh: `${pollutant}：第 ${p} 百分位数`,
  })) satisfies Fill<[string, number]>,
  exceedanceColumns: {
    pollutant: { en: 'Pollutant', fr: 'Polluant', zh: '污染物' },
    hours: { en: 'Averaging', fr: 'Moyenne', zh: '平均时间' },
    limit: { en: 'Limit', fr: 'Valeur limite', zh: '限值' },
    allowed: { en: 'Allowed', fr: 'Permis', zh: '允许' },
    so_far: { en: 'So far', fr: 'À ce jour', zh: '至今超标' },
    valid: { en: 'Valid', fr: 'Valides', zh: '有效' },
    periods: { en: 'Periods', fr: 'Écoulés', zh: '已过' },
    coverage: { en: 'Coverage', fr: 'Couverture', zh: '覆盖率' },
  },
  averaging24h: { en: '24-hour mean (days)', fr: 'moyenne sur 24 heures (jours)', zh: '24 小时平均（天）' },
  averaging1h: { en: '1-hour mean (hours)', fr: 'moyenne horaire (heures)', zh: '1 小时平均（小时）' },
  aqComparisonTitle: ((names: string) => ({
    en: `${names} — air-quality index side by side`,
    fr: `${names} — indices de qualité de l’air côte à côte`,
    zh: `${names} — 空气质量指数对比`,
  })) satisfies Fill<[string]>,
  aqComparisonDescription: {
    en: "The daily index of each city on the same standard, each day being the city's own local day.",
    fr: 'L’indice journalier de chaque ville sur la même norme, chaque jour étant le jour local de la ville.',
    zh: '各城市在同一标准下的日指数，每日按各城市自己的当地日计算。',
  },
  dailyIndexOf: ((standard: string) => ({
    en: `Daily index — ${standard}`,
    fr: `Indice journalier — ${standard}`,
    zh: `日指数 — ${standard}`,
  })) satisfies Fill<[string]>,
  alertGroup: {
    en: 'ucap-monitor air quality',
    fr: 'ucap-monitor qualité de l’air',
    zh: 'ucap-monitor 空气质量',
  },
  alertIndexTitle: ((city: string, standard: string, level: string) => ({
    en: `${city}: ${standard} at “${level}” or worse for 2 hours`,
    fr: `${city} : ${standard} à « ${level} » ou pire depuis 2 heures`,
    zh: `${city}：${standard} 连续 2 小时达到“${level}”或更差`,
  })) satisfies Fill<[string, string, string]>,
  alertIndexDescription: ((value: number) => ({
    en: `Every hourly city index of the last 2 hours is at least ${value}. Check the sub-indices panel for the primary pollutant.`,
    fr: `Chaque indice horaire de la ville des 2 dernières heures vaut au moins ${value}. Voir le panneau des sous-indices pour le polluant principal.`,
    zh: `过去 2 小时的每个全市小时指数均不低于 ${value}。首要污染物见分指数面板。`,
  })) satisfies Fill<[number]>,
  alertWhoTitle: ((city: string, metric: string) => ({
    en: `${city}: ${metric} 24-hour mean above the WHO 2021 guideline`,
    fr: `${city} : moyenne sur 24 heures de ${metric} au-dessus de la valeur guide OMS 2021`,
    zh: `${city}：${metric} 24 小时均值超过世卫组织 2021 指导值`,
  })) satisfies Fill<[string, string]>,
  alertWhoDescription: ((value: number, unit: string) => ({
    en: `Mean of the city's readings over the last 24 hours is above ${value} ${unit} (WHO global air quality guidelines 2021, Table 0.1, 24-hour AQG level).`,
    fr: `La moyenne des mesures de la ville sur les dernières 24 heures dépasse ${value} ${unit} (lignes directrices OMS 2021 sur la qualité de l’air, tableau 0.1, niveau AQG sur 24 heures).`,
    zh: `全市过去 24 小时测量均值超过 ${value} ${unit}（世卫组织《全球空气质量指导值》2021，表 0.1，24 小时指导值）。`,
  })) satisfies Fill<[number, string]>,
  alertSilentTitle: ((city: string) => ({
    en: `${city}: device silent for 30 minutes`,
    fr: `${city} : capteur muet depuis 30 minutes`,
    zh: `${city}：设备 30 分钟无数据`,
  })) satisfies Fill<[string]>,
  alertSilentDescription: {
    en: 'A device that reported in the last 24 hours has sent no reading for about 30 minutes ({{ $labels.device }}).',
    fr: 'Un capteur ayant émis dans les dernières 24 heures n’a envoyé aucune mesure depuis environ 30 minutes ({{ $labels.device }}).',
    zh: '过去 24 小时内上报过的设备约 30 分钟未发送任何测量（{{ $labels.device }}）。',
  },
  alertEmailSubject: {
    en: '[ucap-monitor] Air-quality alert: ',
    fr: '[ucap-monitor] Alerte qualité de l’air : ',
    zh: '[ucap-monitor] 空气质量告警：',
  },
  alertEmailIntro: {
    en: 'Alerts of the ucap-monitor network (details on the city’s air-quality dashboard):',
    fr: 'Alertes du réseau ucap-monitor (détails sur le tableau de bord qualité de l’air de la ville) :',
    zh: 'ucap-monitor 监测网络告警（详情见该城市的空气质量仪表板）：',
  },
} as const;

export function t(text: Text, lang: Lang): string {
  return text[lang];
}
