// English and Simplified Chinese. The language comes from the browser (navigator.languages) until
// the user picks one; the pick is kept in localStorage (a preference, nothing secret). Pages with
// many words of their own pass their own catalogue to useT (see Messages), so each page file owns
// its strings and this file holds only the shared ones.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Lang = (typeof LANGUAGES)[number];

/** A catalogue: the English text of every key, and the Chinese one where it differs. */
export interface Messages {
  en: Record<string, string>;
  'zh-CN': Record<string, string>;
}

const LANG_KEY = 'aos.console.lang';

/** The product guide's names of the stack statuses. */
const STATUS: Messages = {
  en: {
    'status.INITIAL': 'Initial',
    'status.PROCESSING': 'Processing',
    'status.NORMAL': 'Normal',
    'status.STOPPED': 'Stopped',
    'status.PARTIALLY_STOPPED': 'Partially stopped',
    'status.ABNORMAL': 'Abnormal',
    'status.UNKNOWN_ERROR': 'Unknown error',
    'status.DELETED': 'Deleted',
    'health.HEALTHY': 'Healthy',
    'health.UNKNOWN': 'Unknown',
    'health.ABNORMAL': 'Abnormal',
    'actionName.INSTALL': 'Install',
    'actionName.UPDATE': 'Update',
    'actionName.START': 'Start',
    'actionName.STOP': 'Stop',
    'actionName.DELETE': 'Delete',
    'actionName.ROLLBACK': 'Rollback',
    'actionState.IN_PROGRESS': 'in progress',
    'actionState.COMPLETE': 'complete',
    'actionState.FAILED': 'failed',
    'elementStatus.PENDING': 'Pending',
    'elementVerb.CREATE': 'Create',
    'elementVerb.UPDATE': 'Update',
    'elementVerb.START': 'Start',
    'elementVerb.STOP': 'Stop',
    'elementVerb.DELETE': 'Delete',
  },
  'zh-CN': {
    'status.INITIAL': '初始化',
    'status.PROCESSING': '处理中',
    'status.NORMAL': '正常',
    'status.STOPPED': '停止',
    'status.PARTIALLY_STOPPED': '部分停止',
    'status.ABNORMAL': '异常',
    'status.UNKNOWN_ERROR': '未知错误',
    'status.DELETED': '已删除',
    'health.HEALTHY': '健康',
    'health.UNKNOWN': '未知',
    'health.ABNORMAL': '异常',
    'actionName.INSTALL': '安装',
    'actionName.UPDATE': '升级',
    'actionName.START': '启动',
    'actionName.STOP': '停止',
    'actionName.DELETE': '删除',
    'actionName.ROLLBACK': '回滚',
    'actionState.IN_PROGRESS': '进行中',
    'actionState.COMPLETE': '完成',
    'actionState.FAILED': '失败',
    'elementStatus.PENDING': '等待中',
    'elementVerb.CREATE': '创建',
    'elementVerb.UPDATE': '升级',
    'elementVerb.START': '启动',
    'elementVerb.STOP': '停止',
    'elementVerb.DELETE': '删除',
  },
};

const SHARED: Messages = {
  en: {
    'app.title': 'AOS console',
    'nav.label': 'Main',
    'nav.stacks': 'Stacks',
    'nav.templates': 'Templates',
    'nav.audit': 'Audit',
    'nav.clusters': 'Clusters',
    'nav.admin': 'Admin',
    'header.tenant': 'Tenant',
    'header.user': 'User',
    'header.role': 'Role',
    'header.language': 'Language',
    'header.signOut': 'Sign out',
    'signIn.title': 'Sign in',
    'signIn.token': 'API token',
    'signIn.help': 'Paste an API token (the admin token is printed by npm run up). It is kept for this tab only.',
    'signIn.submit': 'Sign in',
    'signIn.refused': 'The token was refused (unknown, revoked or expired).',
    'signIn.failed': 'Could not reach the API: {message}',
    'common.loading': 'Loading…',
    'common.error': 'Something went wrong: {message}',
    'common.notFound': 'Not found',
    'common.notFoundText': 'There is nothing here, or it belongs to another tenant.',
    'common.back': 'Back',
    'common.cancel': 'Cancel',
    'common.confirm': 'Confirm',
    'common.close': 'Close',
    'common.none': 'None',
    'common.copy': 'Copy',
    'common.copied': 'Copied',
    'common.comingSoon': 'This page is being built.',
    'role.ADMIN': 'Administrator',
    'role.OPERATOR': 'Operator',
    'role.VIEWER': 'Viewer',
    'role.platformAdmin': 'Platform administrator',
    'tenant.FROZEN': 'frozen: read only',
    'live.connected': 'Live',
  },
  'zh-CN': {
    'app.title': 'AOS 控制台',
    'nav.label': '主导航',
    'nav.stacks': '堆栈',
    'nav.templates': '模板',
    'nav.audit': '审计',
    'nav.clusters': '集群',
    'nav.admin': '管理',
    'header.tenant': '租户',
    'header.user': '用户',
    'header.role': '角色',
    'header.language': '语言',
    'header.signOut': '退出',
    'signIn.title': '登录',
    'signIn.token': 'API 令牌',
    'signIn.help': '粘贴 API 令牌（管理员令牌由 npm run up 打印）。令牌只保存在当前标签页。',
    'signIn.submit': '登录',
    'signIn.refused': '令牌被拒绝（未知、已吊销或已过期）。',
    'signIn.failed': '无法连接 API：{message}',
    'common.loading': '加载中…',
    'common.error': '出错了：{message}',
    'common.notFound': '未找到',
    'common.notFoundText': '这里没有内容，或它属于另一个租户。',
    'common.back': '返回',
    'common.cancel': '取消',
    'common.confirm': '确认',
    'common.close': '关闭',
    'common.none': '无',
    'common.copy': '复制',
    'common.copied': '已复制',
    'common.comingSoon': '此页面正在建设中。',
    'role.ADMIN': '管理员',
    'role.OPERATOR': '操作员',
    'role.VIEWER': '只读用户',
    'role.platformAdmin': '平台管理员',
    'tenant.FROZEN': '已冻结：只读',
    'live.connected': '实时',
  },
};

function browserLang(): Lang {
  const preferred = typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language];
  for (const tag of preferred) {
    const lower = tag.toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_KEY);
  return (LANGUAGES as readonly string[]).includes(saved ?? '') ? (saved as Lang) : browserLang();
}

interface LangState {
  lang: Lang;
  setLang: (lang: Lang) => void;
}

const LangContext = createContext<LangState>({ lang: 'en', setLang: () => undefined });

export function LanguageProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(LANG_KEY, next);
    setLangState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo(() => ({ lang, setLang }), [lang, setLang]);
  return <LangContext.Provider value={value}>{children}</LangContext.Provider>;
}

/** The language and its setter (the header's switch). */
export function useLang(): LangState {
  return useContext(LangContext);
}

export type Translate = (key: string, vars?: Record<string, string | number>) => string;

/**
 * `t(key, {name: value})`: the text in the current language, `{name}` replaced; the page's own
 * catalogue first, then the shared one; English when a key has no Chinese; the key itself when unknown.
 */
export function useT(own?: Messages): Translate {
  const { lang } = useLang();
  return useCallback(
    (key, vars) => {
      const text = own?.[lang][key] ?? SHARED[lang][key] ?? STATUS[lang][key] ?? own?.en[key] ?? SHARED.en[key] ?? STATUS.en[key] ?? key;
      return vars ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole)) : text;
    },
    [lang, own],
  );
}

/** A stack status (or DELETED) in the user's language; an unknown name as it is. */
export function statusLabel(t: Translate, status: string): string {
  const key = `status.${status}`;
  const text = t(key);
  return text === key ? status : text;
}

/**
 * An element's status (`CREATE_COMPLETE`, `STOP_IN_PROGRESS`, `PENDING`, `STOPPED`, …) in the
 * user's language: its step's verb and the step's state; a name the catalogue lacks as it is.
 */
export function elementStatusLabel(t: Translate, status: string): string {
  const own = t(`elementStatus.${status}`);
  if (own !== `elementStatus.${status}`) return own;
  if (status === 'STOPPED') return statusLabel(t, status);
  const match = /^([A-Z]+)_(IN_PROGRESS|COMPLETE|FAILED)$/.exec(status);
  if (!match) return status;
  const verb = t(`elementVerb.${match[1]}`);
  const state = t(`actionState.${match[2]}`);
  return verb === `elementVerb.${match[1]}` ? status : `${verb} ${state}`;
}

/** A stack's current or last action and its state ("Install complete", "安装 完成"); names the catalogue lacks as they are. */
export function actionLabel(t: Translate, action: string | null | undefined, state: string | null | undefined): string {
  if (!action) return '';
  const known = (prefix: string, name: string) => {
    const text = t(`${prefix}.${name}`);
    return text === `${prefix}.${name}` ? name : text;
  };
  return state ? `${known('actionName', action)} ${known('actionState', state)}` : known('actionName', action);
}

/** Dates as the user's language writes them, to the second. */
export function useFormatTime(): (iso: string | null | undefined) => string {
  const { lang } = useLang();
  return useMemo(() => {
    const format = new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'medium' });
    return (iso) => (iso ? format.format(new Date(iso)) : '');
  }, [lang]);
}
