/** The columns of the figures' export: rates as percentages, the score out of 100, hours. */
import type { Column } from '../exports/tabular.ts';
import type { Dimension, FigureSet } from './service.ts';

type Row = FigureSet & { label: string };

const DIMENSION_LABELS: Record<Dimension, string> = {
  station: '站点',
  stationType: '站点类型',
  district: '旗县区',
  category: '诉求类别',
  channel: '渠道',
  month: '月份',
};

const percent = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 100);

export function figureColumns(dimension: Dimension): Column<Row>[] {
  return [
    { header: DIMENSION_LABELS[dimension], width: 28, value: (r) => r.label },
    { header: '受理量', width: 9, value: (r) => r.received.value },
    { header: '有效量', width: 9, value: (r) => r.effective.value },
    { header: '响应率(%)', width: 11, value: (r) => percent(r.responseRate.value) },
    { header: '办结率(%)', width: 11, value: (r) => percent(r.completionRate.value) },
    { header: '按期办结率(%)', width: 13, value: (r) => percent(r.onTimeRate.value) },
    { header: '解决率(%)', width: 11, value: (r) => percent(r.solvedRate.value) },
    { header: '满意率(%)', width: 11, value: (r) => percent(r.satisfactionRate.value) },
    { header: '满意度(分)', width: 11, value: (r) => r.satisfactionScore.value },
    { header: '超期未办结', width: 11, value: (r) => r.overdueOpen.value },
    { header: '平均签收时长(小时)', width: 18, value: (r) => r.avgClaimHours.value },
    { header: '平均办结时长(小时)', width: 18, value: (r) => r.avgResolveHours.value },
    { header: '红色预警', width: 9, value: (r) => r.colors.red.value },
    { header: '橙色预警', width: 9, value: (r) => r.colors.orange.value },
    { header: '黄色预警', width: 9, value: (r) => r.colors.yellow.value },
    { header: '绿色预警', width: 9, value: (r) => r.colors.green.value },
  ];
}
